/* Comment form niceties; everything works without this file.
   - Reply moves the form under the comment being answered; Cancel reply puts it back.
   - After a refused post, focus goes to the list of problems so screen readers read it. */
(function () {
  "use strict";

  var respond = document.getElementById("respond");
  if (!respond) {
    return;
  }
  var form = respond.querySelector("form");
  var replyToName = respond.querySelector(".reply-to-name");
  var cancelLink = document.getElementById("cancel-comment-reply-link");
  // Marks the form's usual place, to put it back on "Cancel reply".
  var home = document.createElement("div");
  home.hidden = true;
  respond.parentNode.insertBefore(home, respond);

  function replyTo(link) {
    var comment = document.getElementById("comment-" + link.dataset.commentId);
    if (!comment) {
      return false;
    }
    comment.querySelector(".comment-body").after(respond);
    form.elements.parent.value = link.dataset.commentId;
    replyToName.textContent = " to " + link.dataset.author;
    cancelLink.hidden = false;
    form.elements.body.focus();
    return true;
  }

  function cancelReply() {
    home.after(respond);
    form.elements.parent.value = "";
    replyToName.textContent = "";
    cancelLink.hidden = true;
    form.elements.body.focus();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest(".comment-reply-link");
    if (link && replyTo(link)) {
      event.preventDefault();
    } else if (event.target.closest("#cancel-comment-reply-link")) {
      event.preventDefault();
      cancelReply();
    }
  });

  var errors = document.getElementById("comment-errors");
  if (errors && errors.hasAttribute("tabindex")) {
    // After load: going to the page's #respond fragment would take the focus away again.
    window.addEventListener("load", function () {
      errors.focus();
    });
  }
})();
