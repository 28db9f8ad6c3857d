/* Amounts typed with thousands separators shown as the user types: "2013200.5" → "2,013,200.5".
 * Strings only, never a float: the server parses the text (filings.money.parse_amount).
 * The caret stays after the same digit it was after before the reformat. */
(function () {
  "use strict";
  var FULLWIDTH = "０１２３４５６７８９．，";
  var HALFWIDTH = "0123456789.,";

  function toHalfwidth(text) {
    return text.replace(/[０-９．，]/g, function (ch) {
      return HALFWIDTH.charAt(FULLWIDTH.indexOf(ch));
    });
  }

  // Format "1234567.89" as "1,234,567.89"; anything that is not a plain amount is left alone
  // so that the server can name the mistake instead of the page silently changing it.
  function format(text) {
    var plain = toHalfwidth(text).replace(/[,\s]/g, "");
    var match = /^(-?)(\d*)(\.\d*)?$/.exec(plain);
    if (!match || (match[2] === "" && !match[3])) return null;
    var whole = match[2].replace(/^0+(?=\d)/, "");
    return match[1] + whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (match[3] || "");
  }

  function significantBefore(text, position) {
    // Digits, dot and minus before the caret: what stays put when commas move.
    return toHalfwidth(text.slice(0, position)).replace(/[^\d.\-]/g, "").length;
  }

  function caretAfter(text, count) {
    if (count === 0) return 0;
    var seen = 0;
    for (var i = 0; i < text.length; i++) {
      if (/[\d.\-]/.test(text.charAt(i))) seen++;
      if (seen === count) return i + 1;
    }
    return text.length;
  }

  function reformat(input) {
    var formatted = format(input.value);
    if (formatted === null || formatted === input.value) return;
    var count = significantBefore(input.value, input.selectionStart || 0);
    var focused = document.activeElement === input;
    input.value = formatted;
    if (focused) {
      var caret = caretAfter(formatted, count);
      input.setSelectionRange(caret, caret);
    }
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("input[data-money]")) reformat(event.target);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-money]").forEach(reformat);
  });
  window.perfgoalsMoney = { format: format };
})();
