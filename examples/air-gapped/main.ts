import { buildAirGapped } from './app';
import { AsyncPipeline } from '../../src';

AsyncPipeline.synthWithDiagrams(buildAirGapped(process.argv[2]));
