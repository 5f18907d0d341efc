import { isExposureError } from '../../core/errors.js';
import type { HistoryStore } from '../../store/types.js';
import type { ScanRecorder } from './scan-queue.js';

/** The queue's status transitions, written to the history store. */
export function storeRecorder(store: HistoryStore): ScanRecorder {
  return {
    running: (id) => {
      store.startScan(id);
    },
    done: (id, report) => {
      try {
        store.finishScan(id, report);
      } catch (error) {
        // A report the store refuses must not leave the scan "running" for ever.
        store.failScan(id, isExposureError(error) ? { code: error.code, message: error.message } : { code: 'EXP_ERR_API_INTERNAL', message: 'The report could not be stored' });
        throw error;
      }
    },
    failed: (id, status, failure) => {
      if (status === 'interrupted') store.interruptScan(id);
      else store.failScan(id, failure);
    },
  };
}
