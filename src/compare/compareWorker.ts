// Worker thread entry: reads and reduces metric series for the compare view, and builds series caches
// (bundled as dist/workers/compare.js).
import { serveBatches } from '../platform/workerPool.ts';
import { performSeriesQuery } from './seriesQuery.ts';
import { performWarm } from './seriesWarmup.ts';

serveBatches({ series: performSeriesQuery, warm: performWarm });
