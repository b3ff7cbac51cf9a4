/* The scripts of the pages a citizen opens first (home, search, a dataset's page): those
 * pages use no CKAN JavaScript module, so they load this file instead of CKAN's 1 MB of
 * jQuery, Bootstrap, moment, select2 and htmx (templates/page.html, `bd_light_page`).
 * What they need of it, in plain JavaScript:
 * - the phone menu (Bootstrap's collapse) and a resource's "Explore" menu (its dropdown);
 * - the language and sort choices sent as soon as they change (CKAN's select-switch, htmx);
 * - the page-view beacon that ckanext-tracking's tracking.js sends (page_views.py). */
(function () {
  "use strict";

  function closeDropdowns(except) {
    var open = document.querySelectorAll(".dropdown-menu.show");
    for (var i = 0; i < open.length; i++) {
      if (open[i] === except) { continue; }
      open[i].classList.remove("show");
      var toggle = open[i].parentNode.querySelector('[data-bs-toggle="dropdown"]');
      if (toggle) { toggle.setAttribute("aria-expanded", "false"); toggle.classList.remove("show"); }
    }
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest ? event.target.closest("[data-bs-toggle]") : null;
    var kind = toggle && toggle.getAttribute("data-bs-toggle");
    if (kind === "collapse") {
      var target = document.querySelector(toggle.getAttribute("data-bs-target") || toggle.getAttribute("href"));
      if (target) {
        event.preventDefault();
        var shown = target.classList.toggle("show");
        toggle.setAttribute("aria-expanded", shown ? "true" : "false");
        toggle.classList.toggle("collapsed", !shown);
      }
      return;
    }
    if (kind === "dropdown") {
      var menu = toggle.parentNode.querySelector(".dropdown-menu");
      if (menu) {
        event.preventDefault();
        closeDropdowns(menu);
        menu.setAttribute("data-bs-popper", "static");  // Bootstrap's place: under the button
        var opened = menu.classList.toggle("show");
        toggle.classList.toggle("show", opened);
        toggle.setAttribute("aria-expanded", opened ? "true" : "false");
      }
      return;
    }
    if (!event.target.closest || !event.target.closest(".dropdown-menu")) { closeDropdowns(null); }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { closeDropdowns(null); }
  });

  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (!form || event.target.tagName !== "SELECT") { return; }
    if (form.getAttribute("data-module") === "select-switch" || form.id === "dataset-search-form") {
      form.submit();
    }
  });

  function sendPageView() {
    var root = document.querySelector("meta[name=site-root]");
    if (!root || !window.fetch) { return; }
    var body = new URLSearchParams();
    body.set("url", window.location.pathname.replace(/\/*$/, ""));
    body.set("type", "page");
    window.fetch(root.getAttribute("content") + "_tracking", {
      method: "POST", body: body, credentials: "same-origin", keepalive: true
    }).catch(function () { /* a lost page view is not the reader's problem */ });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", sendPageView); }
  else { sendPageView(); }
})();
