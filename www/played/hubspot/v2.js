// Played HubSpot legacy embed (forms/embed/v2.js): hbspt.forms.create renders the form in an
// iframe.hs-form-iframe served from this script's origin.
(function () {
  var base = new URL('.', document.currentScript.src).href;
  window.hbspt = window.hbspt || {};
  window.hbspt.forms = {
    create: function (opts) {
      var target = document.querySelector(opts.target);
      var frame = document.createElement('iframe');
      frame.className = 'hs-form-iframe';
      frame.title = 'HubSpot form';
      frame.style.cssText = 'border:0;width:100%;height:260px';
      frame.src = base + 'legacy-form.html?formId=' + encodeURIComponent(opts.formId) +
        '&portalId=' + encodeURIComponent(opts.portalId);
      target.appendChild(frame);
    },
  };
})();
