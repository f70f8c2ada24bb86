import { AsyncPipeline } from '../../src';
import { buildVideoAnalysis } from './app';

AsyncPipeline.synthWithDiagrams(buildVideoAnalysis(process.argv[2]));
