import { buildTraining } from './app';
import { AsyncPipeline } from '../../src';

AsyncPipeline.synthWithDiagrams(buildTraining(process.argv[2]));
