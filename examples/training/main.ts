import { AsyncPipeline } from '../../src';
import { buildTraining } from './app';

AsyncPipeline.synthWithDiagrams(buildTraining(process.argv[2]));
