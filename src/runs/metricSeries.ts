/**
 * Every point of one metric of one run, as charts read it: sorted by step, one point per step (the last line for
 * a step wins). `times` holds epoch milliseconds, NaN where the writer gave none.
 */
export interface MetricSeries {
  steps: Float64Array;
  values: Float64Array;
  times: Float64Array;
}
