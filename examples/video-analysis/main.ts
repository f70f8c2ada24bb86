import { buildVideoAnalysis } from './app';
import { AsyncPipeline } from '../../src';

AsyncPipeline.synthWithDiagrams(buildVideoAnalysis(process.argv[2]));
