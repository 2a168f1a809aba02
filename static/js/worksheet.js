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

  // Only a request sent from the focused control's own form or row: one sent from elsewhere
  // meanwhile, like the stage counts' refresh, must not pull the focus back when it settles.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var active = document.activeElement, source = event.detail.elt;
    if (!active || active === document.body || !source) return;
    var holder = active.closest(".item-row[id]") || active.closest("[id]");
    if (!source.contains(active) && !(holder && holder.contains(source))) return;
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
      // A move button lives in the row's menu, which came back closed: open it again, so
      // the next press moves the row one more place.
      var menu = target && target.closest("details.row-menu");
      if (menu && target.tagName !== "SUMMARY") menu.open = true;
      if (target) target.focus();
    } else {
      focusBeside(place);
    }
  }

  function focusBeside(place) {
    var target = pick(place.beside && document.getElementById(place.beside), FOCUSABLE)
      || pick(place.section, ".add-item > summary");
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

  // Escape closes a row's menu, back on its button; leaves an edit form or a delete question,
  // as its Cancel / Keep it link would; and closes an "Add …" form, back on the button that
  // opened it (what is typed stays there).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !event.target.closest) return;
    var menu = event.target.closest("details.row-menu[open]");
    var row = !menu && event.target.closest("li.item-row.editing, li.item-row.confirming");
    var back = row && row.querySelector("a[hx-get]");
    var adding = !menu && !row && event.target.closest("details.add-item[open]");
    if (menu) {
      event.preventDefault();
      menu.open = false;
      menu.querySelector("summary").focus();
    } else if (back) {
      event.preventDefault();
      back.click();
    } else if (adding) {
      event.preventDefault();
      adding.open = false;
      adding.querySelector("summary").focus();
    }
  });

  // One row menu open at a time; a click anywhere else closes it.
  function closeMenus(except) {
    document.querySelectorAll("details.row-menu[open]").forEach(function (menu) {
      if (menu !== except) menu.open = false;
    });
  }
  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest && event.target.closest("details.row-menu"));
  });
  document.addEventListener("toggle", function (event) {
    if (event.target.matches && event.target.matches("details.row-menu[open]")) closeMenus(event.target);
  }, true);

  // A stage folds away to its title and counts with the button in its heading, and stays so
  // after a reload: each plan's folded stages are kept in localStorage. Following a link into
  // a folded stage (the stage bar, a #row address) unfolds it.
  function storeKey(button) { return "race-planner:folded-stages:" + button.dataset.plan; }
  function folded(button) {
    try { return JSON.parse(localStorage.getItem(storeKey(button)) || "[]"); } catch (e) { return []; }
  }
  function setFolded(section, fold, remember) {
    var button = section.querySelector(".stage-toggle");
    section.classList.toggle("is-collapsed", fold);
    button.setAttribute("aria-expanded", fold ? "false" : "true");
    button.firstChild.nodeValue = fold ? "Expand" : "Collapse";
    if (!remember) return;
    var kept = folded(button).filter(function (id) { return id !== section.id; });
    if (fold) kept.push(section.id);
    try { localStorage.setItem(storeKey(button), JSON.stringify(kept)); } catch (e) { /* private mode */ }
  }
  function unfoldFor(hash) {
    var target = hash && hash.length > 1 && document.getElementById(decodeURIComponent(hash.slice(1)));
    var section = target && target.closest("section.stage.is-collapsed");
    if (section) setFolded(section, false, true);
  }
  document.querySelectorAll("section.stage .stage-toggle").forEach(function (button) {
    var section = button.closest("section.stage");
    button.hidden = false;
    if (folded(button).indexOf(section.id) !== -1) setFolded(section, true, false);
    button.addEventListener("click", function () {
      setFolded(section, !section.classList.contains("is-collapsed"), true);
    });
  });
  unfoldFor(location.hash);
  window.addEventListener("hashchange", function () { unfoldFor(location.hash); });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest('#stage-nav a[href^="#"]');
    if (link) unfoldFor(link.getAttribute("href"));
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
