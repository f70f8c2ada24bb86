import { AsyncPipeline } from '../../src';
import { buildMultiTenant } from './app';

AsyncPipeline.synthWithDiagrams(buildMultiTenant(process.argv[2]));
