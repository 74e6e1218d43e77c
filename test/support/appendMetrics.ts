// A writer process for the concurrent-append test: appends one metric line per call, as a training loop would.
import { appendLines } from '../../src/platform/atomicFile.ts';
import { metricLine } from '../../src/runs/runWriter.ts';

const [file, writer, count] = process.argv.slice(2);
const name = `w${writer}`;
for (let step = 0; step < Number(count); step++) {
  appendLines(file as string, [metricLine({ name, step, value: step * 1000 + Number(writer) })]);
}
