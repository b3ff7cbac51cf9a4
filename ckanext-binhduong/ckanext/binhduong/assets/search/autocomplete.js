/* Suggestions as the user types (issue 15): every search box of the portal (an input named
   "q" in a form) asks /goi-y-tim-kiem (suggest.py) after a short pause and lists the datasets
   whose titles begin their words with what was typed. Arrow keys move, Enter opens, Escape
   closes. Titles are set as text, never as HTML. No outside script. */
(function () {
  "use strict";
  var PAUSE_MS = 150;
  var prefix = (window.location.pathname.match(/^\/en(\/|$)/) ? "/en" : "");

  function attach(input) {
    if (input.dataset.bdSuggest) { return; }
    input.dataset.bdSuggest = "1";
    input.setAttribute("autocomplete", "off");
    var list = document.createElement("ul");
    list.className = "bd-suggest list-unstyled";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var holder = input.parentNode;
    if (window.getComputedStyle(holder).position === "static") { holder.style.position = "relative"; }
    holder.appendChild(list);
    var timer = null, active = -1, asked = "";

    function close() { list.hidden = true; list.textContent = ""; active = -1; }
    function mark(index) {
      var items = list.querySelectorAll("a");
      active = index;
      for (var i = 0; i < items.length; i++) {
        items[i].classList.toggle("active", i === index);
        items[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
    }
    function show(datasets) {
      list.textContent = "";
      datasets.forEach(function (dataset) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = dataset.url;
        link.textContent = dataset.title;
        link.setAttribute("role", "option");
        item.appendChild(link);
        list.appendChild(item);
      });
      list.hidden = datasets.length === 0;
      active = -1;
    }
    function ask() {
      var text = input.value.trim();
      if (text.length < 2) { close(); return; }
      asked = text;
      fetch(prefix + "/goi-y-tim-kiem?q=" + encodeURIComponent(text), {headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : {datasets: []}; })
        .then(function (answer) { if (asked === text) { show(answer.datasets || []); } })
        .catch(close);
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, PAUSE_MS);
    });
    input.addEventListener("keydown", function (event) {
      var items = list.querySelectorAll("a");
      if (list.hidden || !items.length) { return; }
      if (event.key === "ArrowDown") { event.preventDefault(); mark((active + 1) % items.length); }
      else if (event.key === "ArrowUp") { event.preventDefault(); mark((active - 1 + items.length) % items.length); }
      else if (event.key === "Enter" && active >= 0) { event.preventDefault(); window.location.href = items[active].href; }
      else if (event.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 200); });
  }

  function attachAll() {
    var inputs = document.querySelectorAll("form input[name=q]");
    for (var i = 0; i < inputs.length; i++) { attach(inputs[i]); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", attachAll); }
  else { attachAll(); }
})();
