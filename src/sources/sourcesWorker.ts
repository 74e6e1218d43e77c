// Worker thread entry: reads other trackers' runs in bulk (bundled as dist/workers/sources.js).
import { serveBatches } from '../platform/workerPool.ts';
import { readMlflowRunDir } from './mlflowRunDir.ts';
import { loadMlflowSqlitePart } from './mlflowSqlite.ts';

serveBatches({ mlflowRunDir: readMlflowRunDir, mlflowSqlitePart: loadMlflowSqlitePart });
