// The strict-CSP demo page's own script (no inline scripts are allowed there).
window.capiflare = window.capiflare || function () { (window.capiflare.q = window.capiflare.q || []).push(arguments); };
document.addEventListener('DOMContentLoaded', function () {
  document.getElementById('lead').addEventListener('click', function () {
    window.capiflare('track', 'Lead', {}, {
      user: { email: 'csp@example.com' },
      callback: function (r) { document.getElementById('log').textContent += 'Lead ' + JSON.stringify(r) + '\n'; },
    });
  });
});
