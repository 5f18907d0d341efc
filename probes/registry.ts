import { orderProbes } from '../src/core/probe-order.js';
import type { ProbeManifest } from '../src/core/probe.js';
import * as registered from './index.js';

/** Every registered probe, each after the probes it reads (ties by id): the order of the scan, the report and its sections. */
export const PROBES: readonly ProbeManifest[] = orderProbes(Object.values(registered));
