// Keeps the worksheet in step while htmx replaces one part of it at a time.
//
// Keyboard and screen-reader users keep their place: the replaced part had the focus, so the
// browser would drop it to the top of the page; it goes back to the same control, the first
// field of a form that came back (its first error if any), or, when a row was deleted, to the
// next row. Section counts and the objectives' KPI names follow the rows they describe.
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
    var target = null;
    if (holder) {
      target = pick(holder, ERRORS)
        || (place.submitted || holder.querySelector(".item-form") ? pick(holder, FIELDS) : null)
        || pick(holder, place.control)
        || pick(holder, FOCUSABLE);
    } else {
      target = pick(place.beside && document.getElementById(place.beside), FOCUSABLE)
        || pick(place.section, "summary");
    }
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

  // Section counts follow the rows: added, deleted or moved without a reload.
  function syncCounts() {
    document.querySelectorAll(".kind-section").forEach(function (section) {
      var count = section.querySelector(".count-inline");
      if (count) count.textContent = "(" + section.querySelectorAll("li.item-row").length + ")";
    });
  }

  // An objective names the KPI that measures it: a rename shows at once, a delete unlinks it
  // (a deleted KPI's links wait, hidden, for a restore).
  function syncKpiNames() {
    document.querySelectorAll("[data-measured-by]").forEach(function (link) {
      var kpi = document.getElementById("kpi-" + link.dataset.measuredBy);
      if (!kpi) {
        link.textContent = "No KPI linked";
        link.classList.add("muted");
        link.removeAttribute("data-measured-by");
      } else if (kpi.dataset.name) {  // not while the KPI's own edit form is open
        link.querySelector("strong").textContent = kpi.dataset.name;
      }
    });
  }

  // Each request restores its own focus once: other requests settling meanwhile (the stage
  // counts refresh after every change) leave it alone.
  function afterSwap(xhr) {
    var place = xhr && places.get(xhr);
    if (place) {
      places.delete(xhr);
      restoreFocus(place);
    }
    syncCounts();
    syncKpiNames();
  }
  document.addEventListener("htmx:afterSettle", function (event) { afterSwap(event.detail.xhr); });
  // A row replaced by nothing (deleted) settles on a detached element, whose events never reach
  // the document: check again once htmx is done (it settles 20 ms after the swap).
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    window.setTimeout(function () { afterSwap(xhr); }, 60);
  });

  // Escape leaves an edit form or a delete question, as its Cancel / Keep it link would.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !event.target.closest) return;
    var row = event.target.closest("li.item-row.editing, li.item-row.confirming");
    var back = row && row.querySelector("a[hx-get]");
    if (back) {
      event.preventDefault();
      back.click();
    }
  });
})();
