// Keyboard shortcuts on every page (the list is the <dialog id="shortcuts"> in base.html; "?"
// opens it). "/" and Ctrl+K are search.js's. Keys are ignored while typing in a field and when
// Ctrl, Alt or Cmd is held, so the browser's own shortcuts stay as they are.
(function () {
  "use strict";
  var GO = { r: "/roadmap", t: "/themes", f: "/feedback", d: "/delivery", h: "/" };
  var pendingG = 0;

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  // The rows j/k walk: cards and rows marked data-row, else every table row of the page's body.
  function rows() {
    var main = document.getElementById("main");
    if (!main) {
      return [];
    }
    var marked = main.querySelectorAll("[data-row]");
    var found = marked.length ? marked : main.querySelectorAll("tbody tr, ul.items > li");
    return Array.prototype.filter.call(found, function (el) {
      return el.offsetParent !== null; // visible only
    });
  }

  function current(list) {
    var active = document.activeElement;
    for (var i = 0; i < list.length; i++) {
      if (list[i] === active || list[i].contains(active)) {
        return i;
      }
    }
    return -1;
  }

  function step(by) {
    var list = rows();
    if (!list.length) {
      return;
    }
    var at = current(list);
    var next = at < 0 ? (by > 0 ? 0 : list.length - 1) : Math.min(Math.max(at + by, 0), list.length - 1);
    var row = list[next];
    if (!row.hasAttribute("tabindex")) {
      row.setAttribute("tabindex", "-1");
    }
    row.classList.add("row-focus");
    row.focus();
    row.scrollIntoView({ block: "nearest" });
  }

  function focusedRow() {
    var list = rows();
    var at = current(list);
    return at < 0 ? null : list[at];
  }

  function edit() {
    var row = focusedRow();
    var target = row && row.getAttribute("data-edit");
    if (!target && row) {
      var link = row.querySelector("a[href^='/initiatives/']");
      target = link ? link.getAttribute("href").split("#")[0] + "#edit" : null;
    }
    if (!target && document.getElementById("edit")) {
      target = "#edit";
    }
    if (!target) {
      return;
    }
    if (target.charAt(0) === "#") {
      var section = document.getElementById(target.slice(1));
      var field = section.querySelector("select, input:not([type=hidden]), textarea, button");
      section.scrollIntoView({ block: "start" });
      (field || section).focus();
    } else {
      window.location.assign(target);
    }
  }

  function open() {
    var row = focusedRow();
    var link = row && row.querySelector("a[href]");
    if (link) {
      link.click();
    }
  }

  function showHelp() {
    var dialog = document.getElementById("shortcuts");
    if (dialog && !dialog.open && dialog.showModal) {
      dialog.showModal();
    }
  }

  var opener = document.querySelector("[data-shortcuts-open]");
  if (opener) {
    opener.hidden = false;
    opener.addEventListener("click", showHelp);
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) {
      return;
    }
    var dialog = document.getElementById("shortcuts");
    if (dialog && dialog.open) {
      return; // the dialog handles Esc itself
    }
    var key = event.key;
    if (pendingG && Date.now() - pendingG < 1500 && GO[key]) {
      pendingG = 0;
      event.preventDefault();
      window.location.assign(GO[key]);
      return;
    }
    pendingG = 0;
    if (key === "g") {
      pendingG = Date.now();
    } else if (key === "?") {
      event.preventDefault();
      showHelp();
    } else if (key === "j" || key === "k") {
      event.preventDefault();
      step(key === "j" ? 1 : -1);
    } else if (key === "e") {
      edit();
    } else if (key === "Enter" && event.target && event.target.hasAttribute && event.target.hasAttribute("data-row")) {
      open();
    }
  });
})();
