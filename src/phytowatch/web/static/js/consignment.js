// The declaration form: a CSV file chosen is read into the "CSV of lines" box (the form posts
// text; without a script, the CSV is pasted there).
(function () {
  "use strict";
  var file = document.getElementById("lines-file");
  var box = document.getElementById("lines-csv");
  if (!file || !box) return;
  file.addEventListener("change", function () {
    var chosen = file.files && file.files[0];
    if (!chosen) return;
    var reader = new FileReader();
    reader.onload = function () { box.value = String(reader.result || ""); };
    reader.readAsText(chosen, "utf-8");
  });
})();
