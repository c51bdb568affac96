// @mention completion for comment boxes (textarea[data-mention]). Typing "@" and the start of
// a name or e-mail address lists matching team members (GET /api/v1/users?prefix=); arrow
// keys move through the list, Enter or Tab inserts "@Name ", Escape closes it. Without this
// script a comment is still posted, and "@Name" or "@address" typed by hand still mentions.
(function () {
  "use strict";
  var counter = 0;

  // The "@word" (or "@two words", for a display name) that ends at the caret, if any.
  function pending(box) {
    var before = box.value.slice(0, box.selectionStart);
    var match = /(^|[\s(\[])@([^\s@()\[\]]*(?: [^\s@()\[\]]*)?)$/.exec(before);
    if (!match || match[2].length > 60) {
      return null;
    }
    return { start: before.length - match[2].length - 1, prefix: match[2] };
  }

  function attach(box) {
    counter += 1;
    var list = document.createElement("ul");
    list.id = "mention-list-" + counter;
    list.className = "mention__list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "People to mention");
    list.hidden = true;
    box.insertAdjacentElement("afterend", list);
    box.setAttribute("role", "combobox");
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-expanded", "false");
    box.setAttribute("aria-controls", list.id);
    var options = [];
    var active = -1;
    var asked = 0;
    var at = null;

    function close() {
      list.hidden = true;
      list.textContent = "";
      options = [];
      active = -1;
      box.setAttribute("aria-expanded", "false");
      box.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      active = index;
      options.forEach(function (item, i) {
        item.element.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0) {
        box.setAttribute("aria-activedescendant", options[index].element.id);
      }
    }

    function choose(index) {
      var person = options[index];
      if (!person || !at) {
        return;
      }
      var end = box.selectionStart;
      var insert = person.mention + " ";
      box.value = box.value.slice(0, at.start) + insert + box.value.slice(end);
      var caret = at.start + insert.length;
      box.setSelectionRange(caret, caret);
      close();
      box.focus();
    }

    function show(people) {
      list.textContent = "";
      options = people.map(function (person, i) {
        var item = document.createElement("li");
        item.id = list.id + "-" + i;
        item.className = "mention__option";
        item.setAttribute("role", "option");
        item.setAttribute("data-mention-option", person.mention);
        item.textContent = person.name ? person.name + " — " + person.email : person.email;
        item.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus (and the caret) in the box
          choose(i);
        });
        list.appendChild(item);
        return { element: item, mention: person.mention };
      });
      if (!options.length) {
        close();
        return;
      }
      list.hidden = false;
      box.setAttribute("aria-expanded", "true");
      highlight(0);
    }

    box.addEventListener("input", function () {
      at = pending(box);
      if (!at) {
        close();
        return;
      }
      asked += 1;
      var ticket = asked;
      var url = "/api/v1/users?limit=8&prefix=" + encodeURIComponent(at.prefix);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (answer) { return answer.ok ? answer.json() : []; })
        .then(function (people) {
          if (ticket === asked) {
            show(people);
          }
        })
        .catch(close);
    });

    box.addEventListener("keydown", function (event) {
      if (list.hidden) {
        return;
      }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var step = event.key === "ArrowDown" ? 1 : -1;
        highlight((active + step + options.length) % options.length);
      } else if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        choose(active);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    box.addEventListener("blur", close);
  }

  document.querySelectorAll("textarea[data-mention]").forEach(attach);
})();
