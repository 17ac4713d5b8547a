// Played Calendly embed (assets.calendly.com/assets/external/widget.js): an iframe of the
// scheduling page in each <div class="calendly-inline-widget" data-url>, and
// Calendly.initPopupWidget({url}) opening one in a .calendly-overlay, as Calendly's script lays
// them out. The scheduling page (scheduling.html) posts Calendly's calendly.* messages.
(function () {
  function frame(url, type) {
    var f = document.createElement('iframe');
    f.title = 'Calendly';
    f.style.cssText = 'border:0;width:100%;height:100%';
    var u = new URL(url, document.baseURI);
    u.searchParams.set('embed_domain', location.host);
    u.searchParams.set('embed_type', type);
    f.src = u.href;
    return f;
  }
  document.querySelectorAll('.calendly-inline-widget[data-url]').forEach(function (div) {
    div.appendChild(frame(div.getAttribute('data-url'), 'Inline'));
  });
  window.Calendly = {
    initPopupWidget: function (opts) {
      var overlay = document.createElement('div');
      overlay.className = 'calendly-overlay';
      overlay.innerHTML = '<div class="calendly-popup"><div class="calendly-popup-content"></div></div>';
      overlay.style.cssText = 'position:fixed;inset:10%;background:#fff;border:1px solid #d5dbe3';
      overlay.querySelector('.calendly-popup-content').appendChild(frame(opts.url, 'PopupText'));
      document.body.appendChild(overlay);
    },
  };
})();
