// format.js: filters/numbers.py's format_value in JavaScript, so the explorer writes every number
// exactly as the Python core does (a browser test checks the two agree on thousands of values).
// Whole numbers are written as integers; others with at most two decimals, rounded half up (ties
// away from zero, Python's ROUND_HALF_UP) from the shortest decimal that reads back as the same
// double (Python's repr and JavaScript's toString both give it); below 0.005, two significant
// digits, so that a value that is not zero never reads as zero; never "-0".

function roundHalfEven(value) {
  // Python's round(): ties go to the even neighbour.
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

function hundredthsHalfUp(value) {
  const [mantissa, exponentText] = Math.abs(value).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const point = Number(exponentText) + 3; // digits before the point of |value| x 100
  let whole;
  let rest;
  if (point <= 0) {
    whole = "0";
    rest = "0".repeat(-point) + digits;
  } else if (point >= digits.length) {
    whole = digits + "0".repeat(point - digits.length);
    rest = "";
  } else {
    whole = digits.slice(0, point);
    rest = digits.slice(point);
  }
  let hundredths = BigInt(whole);
  if (rest !== "" && rest[0] >= "5") hundredths += 1n;
  const padded = hundredths.toString().padStart(3, "0");
  const text = `${padded.slice(0, -2)}.${padded.slice(-2)}`.replace(/0+$/, "").replace(/\.$/, "");
  return (value < 0 ? "-" : "") + text;
}

function twoSignificantHalfUp(value) {
  // |value| < 0.005: its first two significant digits, rounded half up, written without exponent.
  const [mantissa, exponentText] = Math.abs(value).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  let kept = BigInt(digits.slice(0, 2).padEnd(2, "0"));
  if (digits.length > 2 && digits[2] >= "5") kept += 1n;
  const decimals = 1 - Number(exponentText); // kept x 10^-decimals is the rounded |value|
  const keptText = kept.toString();
  const text = `0.${"0".repeat(decimals - keptText.length)}${keptText}`.replace(/0+$/, "").replace(/\.$/, "");
  return (value < 0 ? "-" : "") + text;
}

function formatValue(value) {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  const nearest = roundHalfEven(value);
  const text =
    Math.abs(value - nearest) <= 1e-9 * Math.max(1, Math.abs(value))
      ? BigInt(nearest).toString()
      : Math.abs(value) >= 0.005
        ? hundredthsHalfUp(value)
        : twoSignificantHalfUp(value);
  return text === "-0" ? "0" : text;
}
