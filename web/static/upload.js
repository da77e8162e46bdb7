// Upload progress for the import forms (form.upload): the file is sent with XMLHttpRequest so that
// the page can show how much of it has reached the server, then the server's answer replaces the
// page. Served from /static (the Content-Security-Policy allows scripts from this site only, never
// inline). Without script the forms submit as usual.
(function () {
  'use strict';

  function attach(form) {
    var box = form.querySelector('.upload-progress');
    var bar = box ? box.querySelector('progress') : null;
    var status = box ? box.querySelector('.upload-status') : null;
    form.addEventListener('submit', function (event) {
      if (!window.FormData || !window.XMLHttpRequest || !bar) return;
      event.preventDefault();
      var button = form.querySelector('button[type=submit]');
      if (button) button.disabled = true;
      box.hidden = false;
      var xhr = new XMLHttpRequest();
      xhr.open('POST', form.action);
      xhr.upload.addEventListener('progress', function (e) {
        if (!e.lengthComputable) return;
        bar.max = e.total;
        bar.value = e.loaded;
        status.textContent = form.dataset.uploading + ': ' + Math.round(100 * e.loaded / e.total) + ' %';
      });
      xhr.upload.addEventListener('load', function () {
        bar.removeAttribute('value');
        status.textContent = form.dataset.checking;
      });
      xhr.addEventListener('load', function () {
        document.open();
        document.write(xhr.responseText);
        document.close();
      });
      xhr.addEventListener('error', function () {
        if (button) button.disabled = false;
        box.hidden = true;
        form.submit();
      });
      xhr.send(new FormData(form));
    });
  }

  var forms = document.querySelectorAll('form.upload');
  for (var i = 0; i < forms.length; i++) attach(forms[i]);
})();
