// The filter forms, made quicker with JavaScript; without it they work the same, a page load at a time.
// - Choosing a group narrows the member list to that group's members at once.
// - Empty fields are left out when the form is sent, so the address carries only the filters in use
//   (the server also redirects an address with empty parameters to the clean one).
(function () {
  "use strict";

  function narrowMembers(form) {
    var group = form.elements.namedItem("group");
    var member = form.elements.namedItem("member");
    if (!group || !member || !member.querySelector("optgroup")) {
      return;
    }
    // Every group's members, as the server wrote them: put back or taken out as the group changes.
    var all = Array.prototype.slice.call(member.querySelectorAll("optgroup"));
    var parent = all[0].parentNode;

    function update() {
      var chosen = group.value;
      var keep = member.value;
      all.forEach(function (optgroup) {
        var shown = !chosen || optgroup.dataset.group === chosen;
        if (shown && !optgroup.parentNode) {
          parent.appendChild(optgroup);
        } else if (!shown && optgroup.parentNode) {
          optgroup.remove();
        }
      });
      // Keep the server's order when groups come back.
      all.forEach(function (optgroup) {
        if (optgroup.parentNode) {
          parent.appendChild(optgroup);
        }
      });
      // A member of another group is no longer a choice: back to "Any".
      member.value = keep;
      if (member.value !== keep || member.selectedIndex < 0) {
        member.value = "";
      }
    }

    group.addEventListener("change", update);
    update();
  }

  // An unticked box is never sent, whatever its value.
  function inUse(field) {
    if (field.type === "checkbox" || field.type === "radio") {
      return field.checked;
    }
    return field.value.trim() !== "";
  }

  function sendOnlyFiltersInUse(form) {
    form.addEventListener("submit", function (event) {
      var fields = Array.prototype.filter.call(form.elements, function (field) {
        return field.name && !field.disabled && !inUse(field);
      });
      var used = Array.prototype.some.call(form.elements, function (field) {
        return field.name && !field.disabled && inUse(field);
      });
      if (!used) {
        // No filter at all: the plain list, without a lone "?".
        event.preventDefault();
        window.location.assign(form.getAttribute("action") || window.location.pathname);
        return;
      }
      fields.forEach(function (field) {
        field.disabled = true;
      });
      // Enabled again for the page kept in the back/forward cache.
      window.setTimeout(function () {
        fields.forEach(function (field) {
          field.disabled = false;
        });
      }, 0);
    });
  }

  document.querySelectorAll("form[data-clean-url]").forEach(function (form) {
    narrowMembers(form);
    sendOnlyFiltersInUse(form);
  });
})();
