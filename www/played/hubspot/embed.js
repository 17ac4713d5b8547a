// Played HubSpot new-editor embed (js.hsforms.net/forms/embed/<portalId>.js): renders each
// <div class="hs-form-frame" data-form-id> and reports success the way HubSpot's script does.
(function () {
  var forms = new Map();
  window.HubSpotFormsV4 = {
    getFormFromEvent: function (e) {
      var f = forms.get(e.detail && e.detail.instanceId);
      return f && {
        getFormId: function () { return f.formId; },
        getFormFieldValues: function () { return Promise.resolve(f.values()); },
      };
    },
  };
  document.querySelectorAll('.hs-form-frame[data-form-id]').forEach(function (div, i) {
    var formId = div.getAttribute('data-form-id');
    var instanceId = 'inst-' + i;
    div.innerHTML =
      '<form novalidate><label>Email* <input name="0-1/email" type="email" required></label>' +
      '<label>First name <input name="0-1/firstname"></label>' +
      '<label>Phone <input name="0-1/phone"></label>' +
      '<button type="submit">Submit</button></form><p class="hs-thanks" hidden>Thank you!</p>';
    var form = div.querySelector('form');
    forms.set(instanceId, {
      formId: formId,
      values: function () {
        return Array.prototype.map.call(form.elements, function (el) { return { name: el.name, value: el.value }; })
          .filter(function (f) { return f.name; });
      },
    });
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var ok = form.checkValidity();
      var detail = { formId: formId, instanceId: instanceId };
      setTimeout(function () {
        if (ok) {
          form.hidden = true;
          div.querySelector('.hs-thanks').hidden = false;
        }
        window.dispatchEvent(new CustomEvent(ok ? 'hs-form-event:on-submission:success' : 'hs-form-event:on-submission:failed', { detail: detail }));
      }, 50);
    });
    window.dispatchEvent(new CustomEvent('hs-form-event:on-ready', { detail: { formId: formId, instanceId: instanceId } }));
  });
})();
