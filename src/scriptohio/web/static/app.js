// Script Ohio: the ask box answers in place (the form works without this script).
"use strict";
(function () {
  var form = document.querySelector("form[data-ask]");
  var out = document.getElementById("ask-answer");
  if (!form || !out || !window.fetch) return;
  form.addEventListener("submit", function (event) {
    var q = form.elements.q.value.trim();
    if (!q) return;
    event.preventDefault();
    out.hidden = false;
    out.setAttribute("aria-busy", "true");
    out.textContent = "Looking that up…";
    fetch("/app/ask?fragment=1&q=" + encodeURIComponent(q), {headers: {"Accept": "text/html"}})
      .then(function (r) { return r.text().then(function (t) { return {ok: r.ok, text: t}; }); })
      .then(function (r) {
        if (r.ok) {
          out.innerHTML = r.text;  // our own server-rendered, escaped fragment
        } else {
          out.textContent = "Sorry, that question could not be answered. Try the full page.";
          var a = document.createElement("a");
          a.href = "/app/ask?q=" + encodeURIComponent(q);
          a.textContent = " Open the answer page";
          out.appendChild(a);
        }
      })
      .catch(function () { form.submit(); })
      .then(function () { out.removeAttribute("aria-busy"); });
  });
})();
