import { App } from 'cdk8s';
import { buildAirGapped } from './air-gapped/app';
import { buildHelloAsya } from './hello-asya/app';
import { buildMultiTenant } from './multi-tenant/app';
import { buildRag } from './rag/app';
import { buildTraining } from './training/app';
import { buildVideoAnalysis } from './video-analysis/app';

/** Every example app by name; each builds into the given output directory. */
export const EXAMPLES: Record<string, (outdir?: string) => App> = {
  'hello-asya': buildHelloAsya,
  'rag': buildRag,
  'video-analysis': buildVideoAnalysis,
  'multi-tenant': buildMultiTenant,
  'training': buildTraining,
  'air-gapped': buildAirGapped,
};

/** The example the README's main command synthesizes. */
export const MAIN_EXAMPLE = 'rag';
