// Keyboard and screen-reader users keep their place while htmx replaces one part of the
// worksheet at a time: the replaced part had the focus, so the browser would drop it to the top
// of the page; it goes back to the same control, the first field of a form that came back (its
// first error if any), or, when a row was deleted, to the next row. What the page shows stays
// the server's: counts and KPI names arrive in the responses as out-of-band swaps.
(function () {
  "use strict";
  var FIELDS = "input:not([type=hidden]), select, textarea";
  var FOCUSABLE = "a[href], button:not([disabled]), " + FIELDS + ", summary";
  var ERRORS = ".has-error input, .has-error select, .has-error textarea";
  var places = new WeakMap();  // request → where the focus was when it was sent

  function pick(root, selector) {
    if (!root || !selector) return null;
    return root.matches(selector) ? root : root.querySelector(selector);
  }

  function rowBeside(row) {
    var next = row && row.nextElementSibling, previous = row && row.previousElementSibling;
    if (next && next.matches(".item-row")) return next;
    return previous && previous.matches(".item-row") ? previous : null;
  }

  // The control by what it does (a move button's name and value), not by the element itself.
  function same(control) {
    if (!control.name) return null;
    var selector = control.tagName.toLowerCase() + '[name="' + control.name + '"]';
    return control.value ? selector + '[value="' + control.value + '"]' : selector;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var active = document.activeElement;
    if (!active || active === document.body) return;
    var holder = active.closest(".item-row[id]") || active.closest("[id]");
    var beside = rowBeside(active.closest(".item-row"));
    places.set(event.detail.xhr, {
      id: holder && holder.id,
      control: same(active),
      submitted: active.type === "submit",
      beside: beside && beside.id,
      section: active.closest(".kind-section"),
    });
  });

  function restoreFocus(place) {
    var active = document.activeElement;
    if (active && active !== document.body) return; // still in place
    var holder = place.id && document.getElementById(place.id);
    if (holder) {
      var target = pick(holder, ERRORS)
        || (place.submitted || holder.querySelector(".item-form") ? pick(holder, FIELDS) : null)
        || pick(holder, place.control)
        || pick(holder, FOCUSABLE);
      if (target) target.focus();
    } else {
      focusBeside(place);
    }
  }

  function focusBeside(place) {
    var target = pick(place.beside && document.getElementById(place.beside), FOCUSABLE)
      || pick(place.section, "summary");
    if (target) target.focus();
  }

  // An add form opened from its "Add …" button: straight into its first field, once settled
  // (by then htmx has wired the form up; an Enter before that would post the plain way).
  document.addEventListener("htmx:afterSettle", function (event) {
    var slot = event.detail.target;
    if (slot && slot.classList && slot.classList.contains("add-slot")) {
      var field = pick(slot, FIELDS);
      if (field) field.focus();
    }
  });

  // Each request restores its own focus once: other requests settling meanwhile (the stage
  // counts refresh after every change) leave it alone.
  document.addEventListener("htmx:afterSettle", function (event) {
    var place = places.get(event.detail.xhr);
    if (place) {
      places.delete(event.detail.xhr);
      restoreFocus(place);
    }
  });
  // A confirmed delete takes its row away, and the swap then settles on the detached row,
  // where no event reaches the page: move the focus beside the row before it goes.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail, place = places.get(detail.xhr);
    var row = detail.target && detail.target.closest && detail.target.closest("li.item-row.confirming");
    if (place && row && detail.shouldSwap && detail.requestConfig.verb === "post") {
      places.delete(detail.xhr);
      focusBeside(place);
    }
  });

  // Escape leaves an edit form or a delete question, as its Cancel / Keep it link would, and
  // closes an "Add …" form, back on the button that opened it (what is typed stays there).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !event.target.closest) return;
    var row = event.target.closest("li.item-row.editing, li.item-row.confirming");
    var back = row && row.querySelector("a[hx-get]");
    var adding = !row && event.target.closest("details.add-item[open]");
    if (back) {
      event.preventDefault();
      back.click();
    } else if (adding) {
      event.preventDefault();
      adding.open = false;
      adding.querySelector("summary").focus();
    }
  });

  // The stage bar marks the stage being read (aria-current) as the page scrolls. The bar is
  // replaced after every change, so the mark is looked up anew rather than kept on an element.
  var current = null;
  function markCurrentStage() {
    var pills = document.querySelectorAll("#stage-nav .stage-pill");
    for (var i = 0; i < pills.length; i++) {
      var here = pills[i].getAttribute("href") === "#" + current;
      if (here && !pills[i].hasAttribute("aria-current")) {
        pills[i].setAttribute("aria-current", "true");
        pills[i].scrollIntoView({ block: "nearest", inline: "nearest" });
      } else if (here) {
        continue;
      } else {
        pills[i].removeAttribute("aria-current");
      }
    }
  }
  if ("IntersectionObserver" in window) {
    var visible = {};
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) { visible[entry.target.id] = entry.isIntersecting; });
      var sections = document.querySelectorAll("section.stage[id]");
      for (var i = 0; i < sections.length; i++) {
        if (visible[sections[i].id]) { current = sections[i].id; break; }
      }
      markCurrentStage();
    }, { rootMargin: "-45% 0px -50% 0px" });  // a band across the middle of the screen
    document.querySelectorAll("section.stage[id]").forEach(function (section) {
      observer.observe(section);
    });
    document.addEventListener("htmx:afterSettle", markCurrentStage);
  }
})();
