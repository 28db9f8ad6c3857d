/* Amounts typed with thousands separators shown as the user types: "2013200.5" → "2,013,200.5".
 * Strings only, never a float: the server parses the text (filings.money.parse_amount).
 * The caret stays after the same digit it was after before the reformat. Importing this module
 * installs the formatting on every input[data-money] of the page. */
const FULLWIDTH = "０１２３４５６７８９．，";
const HALFWIDTH = "0123456789.,";

function toHalfwidth(text) {
  return text.replace(/[０-９．，]/g, (ch) => HALFWIDTH.charAt(FULLWIDTH.indexOf(ch)));
}

// Format "1234567.89" as "1,234,567.89"; anything that is not a plain amount is left alone
// so that the server can name the mistake instead of the page silently changing it.
export function format(text) {
  const plain = toHalfwidth(text).replace(/[,\s]/g, "");
  const match = /^(-?)(\d*)(\.\d*)?$/.exec(plain);
  if (!match || (match[2] === "" && !match[3])) return null;
  const whole = match[2].replace(/^0+(?=\d)/, "");
  return match[1] + whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (match[3] || "");
}

/* The amount as a comparable string: "5", "5.00", "５" and "0,005.0" are all "5", so that an
 * amount the server stored with its decimals is not taken for a different, unsaved one.
 * Text that is not a plain amount is returned trimmed, as typed. */
export function canonicalAmount(text) {
  const formatted = format(text || "");
  if (formatted === null) return (text || "").trim();
  let plain = formatted.replace(/,/g, "");
  if (plain.indexOf(".") >= 0) plain = plain.replace(/0+$/, "").replace(/\.$/, "");
  if (plain === "" || plain === "-" || plain === "-0") return plain === "" ? "" : "0";
  return plain.replace(/^(-?)\./, "$10.");
}

function significantBefore(text, position) {
  // Digits, dot and minus before the caret: what stays put when commas move.
  return toHalfwidth(text.slice(0, position)).replace(/[^\d.\-]/g, "").length;
}

function caretAfter(text, count) {
  if (count === 0) return 0;
  let seen = 0;
  for (let i = 0; i < text.length; i++) {
    if (/[\d.\-]/.test(text.charAt(i))) seen++;
    if (seen === count) return i + 1;
  }
  return text.length;
}

function reformat(input) {
  const formatted = format(input.value);
  if (formatted === null || formatted === input.value) return;
  const count = significantBefore(input.value, input.selectionStart || 0);
  const focused = document.activeElement === input;
  input.value = formatted;
  if (focused) {
    const caret = caretAfter(formatted, count);
    input.setSelectionRange(caret, caret);
  }
}

document.addEventListener("input", (event) => {
  if (event.target.matches && event.target.matches("input[data-money]")) reformat(event.target);
});
// A module runs once the document is parsed: the inputs are all there.
document.querySelectorAll("input[data-money]").forEach(reformat);
