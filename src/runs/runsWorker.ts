// Worker thread entry: reads runs in bulk for the index (bundled as dist/workers/runs.js).
import { serveBatches } from '../platform/workerPool.ts';
import { performRunRead } from './runReadTask.ts';

serveBatches({ read: performRunRead });
