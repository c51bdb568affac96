// The roadmap board and the timeline, for editors: drag a card to change its priority (with
// SortableJS, vendored), Alt+ArrowUp/Down on a focused card, and drag a timeline bar to move its
// dates. Each ends in the same form post the page offers without JavaScript (a move form with
// "before"/"after", or the row's date form), so there is one write path and the server's answer
// (saved, or why not) is the page that comes back.
(function () {
  "use strict";

  function csrfInput() {
    return document.querySelector("input[name='csrf_token']");
  }

  function post(action, fields) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = action;
    var token = csrfInput();
    if (token) {
      fields.csrf_token = token.value;
    }
    Object.keys(fields).forEach(function (name) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = fields[name];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
  }

  // --- The board -------------------------------------------------------------------------
  function moved(card) {
    var fields = { version: card.getAttribute("data-version") };
    var above = card.previousElementSibling;
    var below = card.nextElementSibling;
    if (above) {
      fields.after = above.getAttribute("data-key");
    } else if (below) {
      fields.before = below.getAttribute("data-key");
    } else {
      return;
    }
    post("/initiatives/" + encodeURIComponent(card.getAttribute("data-key")) + "/move", fields);
  }

  var lists = document.querySelectorAll("[data-sortable]");
  Array.prototype.forEach.call(lists, function (list) {
    Array.prototype.forEach.call(list.children, function (card) {
      card.setAttribute("tabindex", "0");
      card.setAttribute("aria-keyshortcuts", "Alt+ArrowUp Alt+ArrowDown");
    });
    if (window.Sortable) {
      window.Sortable.create(list, {
        handle: ".drag-handle",
        forceFallback: true, // mouse events rather than HTML5 drag and drop: the same in every browser
        animation: 120,
        onEnd: function (event) {
          if (event.oldIndex !== event.newIndex) {
            moved(event.item);
          }
        },
      });
    }
    list.addEventListener("keydown", function (event) {
      if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) {
        return;
      }
      var card = event.target.closest("[data-key]");
      var form = card && card.querySelector("[data-move='" + (event.key === "ArrowUp" ? "up" : "down") + "']");
      if (form) {
        event.preventDefault();
        form.submit();
      }
    });
  });

  // After a move, the page comes back with ?moved=KEY: put the focus back on that card.
  var params = new URLSearchParams(window.location.search);
  var back = params.get("moved");
  if (back) {
    var card = document.getElementById("card-" + back);
    if (card) {
      card.focus();
    }
  }

  // --- The timeline ----------------------------------------------------------------------
  var chart = document.querySelector(".planned--editable svg[data-day-width]");
  if (!chart) {
    return;
  }
  var DAY = 86400000;
  var dayWidth = parseFloat(chart.getAttribute("data-day-width"));

  function parse(text) {
    return new Date(text + "T00:00:00Z");
  }
  function iso(date) {
    return date.toISOString().slice(0, 10);
  }
  function scale() {
    var box = chart.getBoundingClientRect();
    return chart.viewBox.baseVal.width / (box.width || 1);
  }

  Array.prototype.forEach.call(chart.querySelectorAll("rect[data-key]"), function (bar) {
    var drag = null;
    bar.addEventListener("pointerdown", function (event) {
      var x = parseFloat(bar.getAttribute("x"));
      var width = parseFloat(bar.getAttribute("width"));
      var at = (event.clientX - bar.getBoundingClientRect().left) * scale();
      var edge = Math.min(6, width / 4);
      drag = {
        from: event.clientX,
        x: x,
        width: width,
        mode: at < edge ? "start" : at > width - edge ? "target" : "both",
        days: 0,
      };
      bar.setPointerCapture(event.pointerId);
      bar.classList.add("planned__bar--dragging");
      event.preventDefault();
    });
    bar.addEventListener("pointermove", function (event) {
      if (!drag) {
        return;
      }
      var snap = event.shiftKey ? 7 : 1;
      var days = Math.round(((event.clientX - drag.from) * scale()) / dayWidth / snap) * snap;
      drag.days = days;
      var shift = days * dayWidth;
      if (drag.mode === "both") {
        bar.setAttribute("x", drag.x + shift);
      } else if (drag.mode === "start") {
        bar.setAttribute("x", drag.x + shift);
        bar.setAttribute("width", Math.max(drag.width - shift, 2));
      } else {
        bar.setAttribute("width", Math.max(drag.width + shift, 2));
      }
    });
    bar.addEventListener("pointerup", function () {
      if (!drag) {
        return;
      }
      var days = drag.days;
      var mode = drag.mode;
      drag = null;
      bar.classList.remove("planned__bar--dragging");
      if (!days) {
        return;
      }
      var key = bar.getAttribute("data-key");
      var start = parse(bar.getAttribute("data-start"));
      var target = parse(bar.getAttribute("data-target"));
      if (mode !== "target") {
        start = new Date(start.getTime() + days * DAY);
      }
      if (mode !== "start") {
        target = new Date(target.getTime() + days * DAY);
      }
      var form = document.getElementById("dates-" + key);
      document.getElementById("start-" + key).value = iso(start);
      document.getElementById("target-" + key).value = iso(target);
      if (form) {
        form.submit();
      }
    });
  });
})();
