// Numbers as Python writes them into other trackers' text files: `repr(float)` ("0.5", "1e-05", "nan", "inf",
// "-inf") and `int`.

const FLOAT_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** Python's `float(text)` for the spellings trackers write; NaN is a value here, so failure is `undefined`. */
export function parsePythonFloat(text: string): number | undefined {
  const lower = text.trim().toLowerCase();
  const unsigned = lower.startsWith('-') || lower.startsWith('+') ? lower.slice(1) : lower;
  if (unsigned === 'nan') return Number.NaN;
  if (unsigned === 'inf' || unsigned === 'infinity') return lower.startsWith('-') ? -Infinity : Infinity;
  return FLOAT_TEXT.test(lower) ? Number(lower) : undefined;
}

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, exponent) => 10 ** exponent);
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const ZERO = 48;
const NINE = 57;

/**
 * Reads numbers from a line of a larger text by char code, so that a file of a million values is parsed without
 * a string per value. Each read starts at `position` and leaves it after what it read.
 */
export class NumberScanner {
  text = '';
  position = 0;
  end = 0;

  reset(text: string, start: number, end: number): void {
    this.text = text;
    this.position = start;
    this.end = end;
  }

  atEnd(): boolean {
    return this.position >= this.end;
  }

  /** Consumes one char when it is `code`. */
  skip(code: number): boolean {
    if (this.position >= this.end || this.text.charCodeAt(this.position) !== code) return false;
    this.position++;
    return true;
  }

  /** `int()`: an optional sign, then digits. */
  int(): number | undefined {
    const { text, end } = this;
    let position = this.position;
    const first = text.charCodeAt(position);
    const negative = first === MINUS;
    if (negative || first === PLUS) position++;
    const digitsStart = position;
    let value = 0;
    for (; position < end; position++) {
      const code = text.charCodeAt(position);
      if (code < ZERO || code > NINE) break;
      value = value * 10 + (code - ZERO);
    }
    if (position === digitsStart) return undefined;
    this.position = position;
    return negative ? -value : value;
  }

  /**
   * `float()` of the text up to the next `separator` (or the end). Decimals whose digits fit in 2^53, scaled by a
   * power of ten up to 10^22, are computed directly, which is exactly rounded (one rounding of an exact product or
   * quotient); other decimals go through Number(), nan and inf spellings through parsePythonFloat.
   */
  float(separator: number): number | undefined {
    const { text, end } = this;
    const start = this.position;
    let position = start;
    let code = text.charCodeAt(position);
    const negative = code === MINUS;
    if (negative || code === PLUS) position++;
    let mantissa = 0;
    let digits = 0;
    let fractionDigits = 0;
    let seenDot = false;
    for (; position < end; position++) {
      code = text.charCodeAt(position);
      if (code >= ZERO && code <= NINE) {
        mantissa = mantissa * 10 + (code - ZERO);
        digits++;
        if (seenDot) fractionDigits++;
      } else if (code === DOT && !seenDot) {
        seenDot = true;
      } else {
        break;
      }
    }
    if (digits > 0 && (position === end || code === separator)) {
      this.position = position;
      if (mantissa > Number.MAX_SAFE_INTEGER || fractionDigits > 22) return Number(text.slice(start, position));
      const magnitude = mantissa / (POWERS_OF_TEN[fractionDigits] as number);
      return negative ? -magnitude : magnitude;
    }
    let tokenEnd = text.indexOf(String.fromCharCode(separator), position);
    if (tokenEnd < 0 || tokenEnd > end) tokenEnd = end;
    this.position = tokenEnd;
    return parsePythonFloat(text.slice(start, tokenEnd));
  }
}
