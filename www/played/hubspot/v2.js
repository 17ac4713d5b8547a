// Played HubSpot legacy embed (forms/embed/v2.js), as the real script behaves (reference section
// 11): hbspt.forms.create renders `<form class="hs-form" data-form-id>` in a `div.hbspt-form` in
// the target, in a same-origin "shell" iframe.hs-form-iframe without src, or in the page itself
// with `css: ''` (a raw HTML form). The script runs in the page and posts its hsFormCallback
// messages on the page's own window (`onFormSubmit`, then `onFormSubmitted` with
// `submissionValues`), so the page sees its own origin and `event.source === window`.
(function () {
  var FIELDS =
    '<label>Email* <input name="email" type="email" required autocomplete="email"></label>' +
    '<label>First name <input name="firstname"></label>' +
    '<label>Last name <input name="lastname"></label>' +
    '<button type="submit">Submit</button>';
  var STYLE = '<style>body{font:15px system-ui,sans-serif;margin:0}label{display:block;margin:.4em 0}input{font:inherit;width:90%}</style>';

  function post(eventName, id, data) {
    window.postMessage({ type: 'hsFormCallback', eventName: eventName, id: id, data: data }, '*');
  }

  window.hbspt = window.hbspt || {};
  window.hbspt.forms = {
    create: function (opts) {
      var box = document.createElement('div');
      box.className = 'hbspt-form';
      document.querySelector(opts.target).appendChild(box);
      var root = box;
      if (opts.css !== '') {
        var frame = document.createElement('iframe');
        frame.className = 'hs-form-iframe';
        frame.title = 'HubSpot form';
        frame.style.cssText = 'border:0;width:100%;height:260px';
        box.appendChild(frame);
        var doc = frame.contentDocument;
        doc.open();
        doc.write('<!doctype html><html><head>' + STYLE + '</head><body></body></html>');
        doc.close();
        root = doc.body;
      }
      root.insertAdjacentHTML('beforeend', '<form class="hs-form" novalidate>' + FIELDS + '</form><p hidden>Thanks for submitting the form.</p>');
      var form = root.querySelector('form');
      form.id = 'hsForm_' + opts.formId;
      form.setAttribute('data-form-id', opts.formId);
      form.setAttribute('data-portal-id', opts.portalId);
      form.addEventListener('submit', function (e) {
        e.preventDefault();
        if (!form.checkValidity()) return;
        var values = {};
        Array.prototype.forEach.call(form.elements, function (el) { if (el.name) values[el.name] = el.value; });
        post('onFormSubmit', opts.formId, Object.keys(values).map(function (k) { return { name: k, value: values[k] }; }));
        setTimeout(function () {
          form.hidden = true;
          form.nextElementSibling.hidden = false;
          post('onFormSubmitted', opts.formId, { redirectUrl: '', conversionId: 'conv-' + Date.now(), formGuid: opts.formId, submissionValues: values });
        }, 50);
      });
    },
  };
})();
