const UNITS = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** A byte count for people, in SI units: "512 bytes", "4.2 MB", "10 GB". */
export function formatSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${Number(value.toPrecision(value < 10 ? 2 : 3))} ${UNITS[unit]}`;
}
