import { buildMultiTenant } from './app';
import { AsyncPipeline } from '../../src';

AsyncPipeline.synthWithDiagrams(buildMultiTenant(process.argv[2]));
