// Long imports show progress while the file uploads and is checked.
document.querySelectorAll('form[enctype="multipart/form-data"]').forEach(function (f) {
  f.addEventListener('submit', function () {
    var p = f.querySelector('progress');
    if (p) { p.hidden = false; }
    f.querySelectorAll('button').forEach(function (b) { b.disabled = true; });
  });
});
