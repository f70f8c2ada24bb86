import { App } from 'cdk8s';
import { buildAirGapped } from './air-gapped/app';
import { buildHelloAsya } from './hello-asya/app';
import { buildMultiTenant } from './multi-tenant/app';
import { buildRag } from './rag/app';
import { buildTraining } from './training/app';
import { buildVideoAnalysis } from './video-analysis/app';

/** Every example app by name; each builds into the given output directory. */
export const EXAMPLES: Record<string, (outdir?: string) => App> = {
  'rag': buildRag,
  'video-analysis': buildVideoAnalysis,
  'training': buildTraining,
  'multi-tenant': buildMultiTenant,
  'air-gapped': buildAirGapped,
  'hello-asya': buildHelloAsya,
};

/** The example the README's main command synthesizes. */
export const MAIN_EXAMPLE = 'rag';
