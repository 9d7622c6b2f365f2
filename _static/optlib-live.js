/* optlib live figures on the static site (see optlib/interactive.py).
 * Each <div class="optlib-live"> carries its precomputed frames in a JSON <script>;
 * moving a slider shows the frame of the chosen grid point. No network, no kernel. */
(function () {
  "use strict";
  function setup(root) {
    if (root.getAttribute("data-optlib-ready")) return;
    var dataEl = root.querySelector("script.optlib-live-data");
    var img = root.querySelector("img.optlib-live-frame");
    if (!dataEl || !img) return;
    var data = JSON.parse(dataEl.textContent);
    var inputs = root.querySelectorAll(".optlib-live-controls input[type=range]");
    var outputs = root.querySelectorAll(".optlib-live-controls output");
    function show() {
      var k = 0;
      for (var j = 0; j < inputs.length; j++) {
        var labels = data.sliders[j].labels;
        var i = Math.max(0, Math.min(labels.length - 1, parseInt(inputs[j].value, 10) || 0));
        k = k * labels.length + i;
        if (outputs[j]) outputs[j].textContent = labels[i];
      }
      img.src = "data:" + data.mime + ";base64," + data.frames[k];
      root.setAttribute("data-optlib-frame", String(k));
    }
    for (var j = 0; j < inputs.length; j++) inputs[j].addEventListener("input", show);
    root.setAttribute("data-optlib-ready", "1");
  }
  function setupAll() {
    var roots = document.querySelectorAll("div.optlib-live");
    for (var i = 0; i < roots.length; i++) setup(roots[i]);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setupAll);
  } else {
    setupAll();
  }
})();
