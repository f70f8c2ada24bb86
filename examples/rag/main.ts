import { buildRag } from './app';
import { AsyncPipeline } from '../../src';

AsyncPipeline.synthWithDiagrams(buildRag(process.argv[2]));
