/* The publisher's dataset and resource forms, as progressive enhancement (without JavaScript
   every step shows on one page and the unit list is a plain multiple select):
   - one step at a time, with the progress indicator and Previous/Next buttons;
   - the administrative-unit picker: search as you type (without diacritics too), shortcuts for
     a whole district or the province, the units chosen as chips;
   - the resource name taken from the file's title (its name without extension and
     separators), not the raw file name;
   - drafts kept in the browser (localStorage, one per user, dataset and form): saved as the
     clerk types and when the page is hidden or left, offered back on return ("Khôi phục bản
     nháp chưa lưu (hh:mm dd/mm/yyyy)" / "Bỏ bản nháp"), dropped once the save went through
     (the dataset's version changed, or a new dataset reached its files step); a warning
     before leaving a form with changes not saved. Texts come from data-* attributes
     (already translated). */
(function () {
  "use strict";

  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }

  function steps(form) {
    var indicator = document.querySelector(".bd-form-steps");
    var sections = Array.prototype.slice.call(form.querySelectorAll("fieldset.bd-form-section"));
    if (!indicator || sections.length < 2) { return; }
    document.documentElement.classList.add("bd-js");
    var progress = document.querySelector(".bd-form-progress");
    var texts = indicator.dataset;
    var advanced = form.querySelector(".bd-form-advanced");
    var actions = form.querySelector(".form-actions");
    var current = 0;
    sections.forEach(function (section, index) {
      if (section.querySelector(".error, .error-block")) {
        var item = indicator.querySelector('[data-section="' + section.dataset.section + '"]');
        if (item) { item.classList.add("has-error"); }
      }
      var buttons = document.createElement("div");
      buttons.className = "bd-step-buttons";
      if (index > 0) {
        var back = document.createElement("button");
        back.type = "button"; back.className = "btn btn-default btn-secondary"; back.textContent = texts.previous;
        back.addEventListener("click", function () { show(index - 1); });
        buttons.appendChild(back);
      } else { buttons.appendChild(document.createElement("span")); }
      if (index < sections.length - 1) {
        var next = document.createElement("button");
        next.type = "button"; next.className = "btn btn-primary bd-step-next"; next.textContent = texts.next;
        next.addEventListener("click", function () { show(index + 1); });
        buttons.appendChild(next);
      }
      section.appendChild(buttons);
    });
    function show(index) {
      current = index;
      sections.forEach(function (section, i) { section.classList.toggle("bd-hidden", i !== index); });
      var last = index === sections.length - 1;
      if (advanced) { advanced.style.display = last ? "" : "none"; }
      if (actions) { actions.style.display = last ? "" : "none"; }
      Array.prototype.forEach.call(indicator.querySelectorAll(".bd-form-step"), function (item, i) {
        if (item.dataset.section === "files") { return; }
        item.classList.toggle("active", i === index);
        item.classList.toggle("done", i < index);
      });
      if (progress) {
        progress.textContent = (texts.progress || "").replace("{step}", index + 1).replace("{total}", sections.length + 1);
      }
      var heading = sections[index].querySelector("legend");
      if (heading && document.activeElement && document.activeElement.tagName === "BUTTON") {
        sections[index].scrollIntoView({ block: "start" });
      }
    }
    Array.prototype.forEach.call(indicator.querySelectorAll("a[href^='#bd-section-']"), function (link) {
      link.addEventListener("click", function (event) {
        var target = link.getAttribute("href").slice("#bd-section-".length);
        var index = sections.findIndex(function (s) { return s.dataset.section === target; });
        if (index >= 0) { event.preventDefault(); show(index); }
      });
    });
    var firstError = sections.findIndex(function (s) { return s.querySelector(".error"); });
    show(firstError >= 0 ? firstError : 0);
    var summary = document.getElementById("bd-form-errors");
    if (summary) {
      Array.prototype.forEach.call(summary.querySelectorAll("a[href^='#field-']"), function (link) {
        link.addEventListener("click", function () {
          var field = document.getElementById(link.getAttribute("href").slice(1));
          var section = field && field.closest("fieldset.bd-form-section");
          if (section) { show(sections.indexOf(section)); }
          if (field && field.closest("details")) { field.closest("details").open = true; }
        });
      });
    }
  }

  function unitPicker(select) {
    var texts = select.dataset;
    select.style.display = "none";
    var picker = document.createElement("div");
    picker.className = "bd-unit-picker";
    var search = document.createElement("input");
    search.type = "search"; search.className = "form-control bd-unit-search";
    search.placeholder = texts.searchPlaceholder || ""; search.setAttribute("aria-label", texts.searchPlaceholder || "");
    var shortcuts = document.createElement("div");
    shortcuts.className = "bd-unit-shortcuts";
    var list = document.createElement("div");
    list.className = "bd-unit-list"; list.setAttribute("role", "group");
    var chosen = document.createElement("div");
    chosen.className = "bd-unit-chosen"; chosen.setAttribute("aria-live", "polite");
    var options = Array.prototype.slice.call(select.options);
    options.forEach(function (option) {
      var label = document.createElement("label");
      var box = document.createElement("input");
      box.type = "checkbox"; box.value = option.value; box.checked = option.selected;
      box.addEventListener("change", function () { option.selected = box.checked; render(); });
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + option.textContent.trim()));
      label.dataset.folded = " " + fold(option.textContent + " " + option.value).replace(/[^a-z0-9]+/g, " ") + " ";
      list.appendChild(label);
      option._bdBox = box;
      var level = option.dataset.level;
      if (level === "province" || level === "district" || level === "city") {
        var button = document.createElement("button");
        button.type = "button"; button.className = "btn btn-sm btn-outline-secondary btn-default";
        button.textContent = (texts.wholePrefix || "") + option.textContent.trim();
        button.addEventListener("click", function () { option.selected = true; box.checked = true; render(); });
        shortcuts.appendChild(button);
      }
    });
    /* Each typed word matches the start of a word of the unit's name ("di an" finds Dĩ An, not
       Định Hòa); units holding the whole phrase come first. */
    function query() { return fold(search.value).replace(/[^a-z0-9]+/g, " ").trim(); }
    search.addEventListener("input", function () {
      var phrase = query(), words = phrase.split(" ").filter(Boolean);
      var labels = Array.prototype.slice.call(list.children);
      labels.forEach(function (label) {
        var match = words.every(function (word) { return label.dataset.folded.indexOf(" " + word) >= 0; });
        label.classList.toggle("bd-hidden", !match);
        label.style.order = phrase && label.dataset.folded.indexOf(" " + phrase + " ") >= 0 ? "-1" : "0";
      });
    });
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        var phrase = query();
        var visible = Array.prototype.slice.call(list.querySelectorAll("label:not(.bd-hidden)"));
        var best = visible.filter(function (l) { return l.dataset.folded.indexOf(" " + phrase + " ") >= 0; })[0] || visible[0];
        var box = best && best.querySelector("input");
        if (box) { box.checked = true; box.dispatchEvent(new Event("change")); }
      }
    });
    function render() {
      chosen.textContent = "";
      options.filter(function (o) { return o.selected; }).forEach(function (option) {
        var chip = document.createElement("span");
        chip.className = "bd-unit-chip";
        chip.textContent = option.textContent.trim();
        var remove = document.createElement("button");
        remove.type = "button"; remove.textContent = "×"; remove.setAttribute("aria-label", (texts.remove || "") + " " + option.textContent.trim());
        remove.addEventListener("click", function () { option.selected = false; option._bdBox.checked = false; render(); });
        chip.appendChild(remove);
        chosen.appendChild(chip);
      });
    }
    /* A restored draft sets the select's options: the boxes and chips follow. */
    select.addEventListener("change", function () {
      options.forEach(function (option) { option._bdBox.checked = option.selected; });
      render();
    });
    picker.appendChild(search);
    if (shortcuts.children.length) { picker.appendChild(shortcuts); }
    picker.appendChild(list);
    picker.appendChild(chosen);
    select.parentNode.insertBefore(picker, select);
    render();
  }

  function resourceTitle(form) {
    var upload = form.querySelector('input[type="file"][name="upload"]');
    var name = form.querySelector('input[name="name"]');
    if (!upload || !name) { return; }
    var typedByHand = !!name.value;
    name.addEventListener("input", function () { typedByHand = true; });
    upload.addEventListener("change", function () {
      if (typedByHand || !upload.files || !upload.files.length) { return; }
      var title = upload.files[0].name.replace(/\.[A-Za-z0-9]{1,5}$/, "").replace(/[_\-.]+/g, " ").replace(/\s+/g, " ").trim();
      title = title.charAt(0).toUpperCase() + title.slice(1);
      /* CKAN's upload module writes the file name on the same event: ours comes after it. */
      window.setTimeout(function () { name.value = title; }, 0);
    });
  }

  var DRAFT_PREFIX = "bd-draft:", DRAFT_DAYS = 30;

  function pad(number) { return (number < 10 ? "0" : "") + number; }

  function moment(time) {
    var d = new Date(time);
    return pad(d.getHours()) + ":" + pad(d.getMinutes()) + " " + pad(d.getDate()) + "/" + pad(d.getMonth() + 1) + "/" + d.getFullYear();
  }

  function drafts(form, box) {
    var storage;
    try { storage = window.localStorage; storage.getItem(DRAFT_PREFIX); } catch (error) { return; }
    var texts = box.dataset, key = texts.key;
    function read(name) {
      try { return JSON.parse(storage.getItem(name) || "null"); } catch (error) { return null; }
    }
    function write(record) {
      try { storage.setItem(key, JSON.stringify(record)); return true; } catch (error) { return false; }
    }
    /* Old drafts (a month) are dropped; a new dataset's draft once the dataset was created. */
    for (var i = storage.length - 1; i >= 0; i--) {
      var name = storage.key(i);
      if (name && name.indexOf(DRAFT_PREFIX) === 0) {
        var old = read(name);
        if (!old || !old.at || Date.now() - old.at > DRAFT_DAYS * 86400000) { storage.removeItem(name); }
      }
    }
    if (texts.clearKey) {
      var created = read(texts.clearKey);
      if (created && created.submitted) { storage.removeItem(texts.clearKey); }
    }
    function fields() {
      return Array.prototype.filter.call(form.elements, function (el) {
        return el.name && el.name !== "save" && !/^(hidden|file|password|submit|button|reset)$/.test(el.type);
      });
    }
    function state() {
      return fields().map(function (el) {
        if (el.type === "checkbox" || el.type === "radio") { return [el.name, el.value, el.checked]; }
        if (el.tagName === "SELECT" && el.multiple) {
          return [el.name, Array.prototype.filter.call(el.options, function (o) { return o.selected; }).map(function (o) { return o.value; })];
        }
        return [el.name, el.value];
      });
    }
    function restore(saved) {
      var byName = {};
      saved.forEach(function (entry) { (byName[entry[0]] = byName[entry[0]] || []).push(entry); });
      fields().forEach(function (el) {
        var entries = byName[el.name];
        if (!entries) { return; }
        if (el.type === "checkbox" || el.type === "radio") {
          var match = entries.filter(function (e) { return e[1] === el.value; })[0];
          if (match && el.checked !== match[2]) { el.checked = match[2]; el.dispatchEvent(new Event("change", { bubbles: true })); }
          return;
        }
        var entry = entries.shift();
        if (!entry) { return; }
        if (el.tagName === "SELECT" && el.multiple) {
          Array.prototype.forEach.call(el.options, function (o) { o.selected = entry[1].indexOf(o.value) >= 0; });
        } else if (el.value === entry[1]) {
          return;
        } else {
          el.value = entry[1];
        }
        el.dispatchEvent(new Event("change", { bubbles: true }));
      });
    }
    var initial = JSON.stringify(state());
    var submitting = false, offered = false, timer = null;
    var status = document.createElement("p");
    status.className = "bd-draft-saved text-muted"; status.setAttribute("aria-live", "polite");
    var actions = form.querySelector(".form-actions");
    if (actions) { actions.parentNode.insertBefore(status, actions); } else { form.appendChild(status); }
    function dirty() { return JSON.stringify(state()) !== initial; }
    function save(submitted) {
      if (offered) { return; }  /* the clerk has not yet said whether to take the old draft back */
      if (!dirty() && !submitted) { storage.removeItem(key); status.textContent = ""; return; }
      var at = Date.now();
      if (write({ at: at, base: texts.base, submitted: !!submitted, fields: state() }) && !submitted) {
        status.textContent = (texts.saved || "").replace("{time}", moment(at));
      }
    }
    var saved = read(key);
    var rejected = form.querySelector(".error-explanation, #bd-form-errors, .error-block");
    if (saved && saved.submitted && saved.base !== texts.base) {
      storage.removeItem(key);  /* the save went through: the dataset changed since */
    } else if (saved && rejected) {
      write({ at: Date.now(), base: texts.base, submitted: false, fields: state() });  /* the form shows what was sent */
    } else if (saved && saved.fields && JSON.stringify(saved.fields) !== initial) {
      offered = true;
      var offer = document.createElement("div");
      offer.className = "alert alert-info bd-draft-offer"; offer.setAttribute("role", "status");
      var notice = document.createElement("p");
      notice.textContent = texts.notice + (texts.files ? " " + texts.files : "");
      var take = document.createElement("button");
      take.type = "button"; take.className = "btn btn-primary bd-draft-restore";
      take.textContent = (texts.restore || "").replace("{time}", moment(saved.at));
      var drop = document.createElement("button");
      drop.type = "button"; drop.className = "btn btn-default btn-secondary bd-draft-discard"; drop.textContent = texts.discard;
      take.addEventListener("click", function () {
        offered = false; offer.remove(); restore(saved.fields); save(false);
        var field = form.querySelector("input:not([type=hidden]), textarea");
        if (field && field.offsetParent !== null) { field.focus(); }
      });
      drop.addEventListener("click", function () { offered = false; offer.remove(); storage.removeItem(key); save(false); });
      offer.appendChild(notice); offer.appendChild(take); offer.appendChild(document.createTextNode(" ")); offer.appendChild(drop);
      box.appendChild(offer);
    }
    function later() { window.clearTimeout(timer); timer = window.setTimeout(function () { save(false); }, 400); }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    form.addEventListener("submit", function () { submitting = true; window.clearTimeout(timer); offered = false; save(true); });
    document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden" && !submitting) { save(false); } });
    window.addEventListener("beforeunload", function (event) {
      if (submitting || !dirty()) { return; }
      save(false);
      event.preventDefault();
      event.returnValue = "";  /* the browser's own "leave the page?" question */
    });
  }

  function start() {
    var form = document.getElementById("dataset-edit");
    if (form) { steps(form); }
    Array.prototype.forEach.call(document.querySelectorAll("select.bd-unit-select"), unitPicker);
    var resourceForm = document.getElementById("resource-edit");
    if (resourceForm) { resourceTitle(resourceForm); }
    var box = document.getElementById("bd-draft");
    var draftForm = box && box.closest("form");
    if (draftForm) { drafts(draftForm, box); }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
