// Played Typeform embed (@typeform/embed's embed.js): for each <div data-tf-widget="formId">, a
// .tf-v1-widget holding an iframe of the form (form.html) whose URL carries a fresh
// typeform-embed-id, as Typeform's SDK builds it. The form posts {type, embedId, ...} messages.
(function () {
  var base = new URL('.', document.currentScript.src).href;
  document.querySelectorAll('[data-tf-widget]').forEach(function (div) {
    var embedId = Math.random().toString(36).slice(2, 12);
    var widget = document.createElement('div');
    widget.className = 'tf-v1-widget';
    var frame = document.createElement('iframe');
    frame.title = 'Typeform';
    frame.style.cssText = 'border:0;width:100%;height:200px';
    frame.setAttribute('data-testid', 'iframe');
    frame.src = base + 'form.html?formId=' + encodeURIComponent(div.getAttribute('data-tf-widget')) +
      '&typeform-embed-id=' + embedId + '&typeform-embed=embed-widget';
    widget.appendChild(frame);
    div.appendChild(widget);
  });
})();
