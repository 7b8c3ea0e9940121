// The ticket page tells the server every 15 s that this agent is here (and typing or not),
// and shows who else is: colleagues viewing or typing, and a message that arrived meanwhile.
(function () {
  "use strict";
  var box = document.getElementById("presence");
  if (!box) { return; }
  var lastKey = 0;
  var reply = document.getElementById("id_body");
  if (reply) { reply.addEventListener("input", function () { lastKey = Date.now(); }); }

  function report() {
    var token = document.querySelector('input[name="csrfmiddlewaretoken"]');
    var body = new URLSearchParams({ typing: Date.now() - lastKey < 20000 ? "1" : "0" });
    fetch(box.dataset.url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "" }
    }).then(function (answer) {
      return answer.ok ? answer.json() : null;
    }).then(function (data) {
      if (!data) { return; }
      var parts = data.others.map(function (other) {
        var text = other.typing ? box.dataset.typing : box.dataset.viewing;
        return text.replace("%(name)s", other.name);
      });
      if (Number(data.latest_message) > Number(box.dataset.seen)) { parts.push(box.dataset.newer); }
      box.textContent = parts.join(" · ");
      box.hidden = parts.length === 0;
    }).catch(function () { /* offline for a moment: the next report tries again */ });
  }
  report();
  setInterval(report, 15000);
}());

// Keyboard shortcuts on the console (not while typing in a field): r = reply box, n = note box,
// j = next ticket in the queue, / = search.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
    if (typing || event.altKey || event.ctrlKey || event.metaKey) { return; }
    var focus = { r: "#id_body", n: "#note_body", "/": "#console-search" };
    if (focus[event.key]) {
      var field = document.querySelector(focus[event.key]);
      if (field) { event.preventDefault(); field.focus(); }
    } else if (event.key === "j") {
      var next = document.querySelector('a[rel="next"][data-testid="next-ticket"]');
      if (next) { window.location.href = next.href; }
    }
  });
}());
