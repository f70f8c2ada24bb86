import { AsyncPipeline } from '../../src';
import { buildAirGapped } from './app';

AsyncPipeline.synthWithDiagrams(buildAirGapped(process.argv[2]));
