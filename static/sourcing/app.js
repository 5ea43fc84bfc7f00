// Asks before a destructive submit: a form, or the button that submits it, names its question in
// data-confirm. (No inline handlers: the Content-Security-Policy allows only scripts from this site.)
document.addEventListener("submit", function (event) {
  var submitter = event.submitter;
  var question = (submitter && submitter.dataset.confirm) || event.target.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
