import { AsyncPipeline } from '../../src';
import { buildRag } from './app';

AsyncPipeline.synthWithDiagrams(buildRag(process.argv[2]));
