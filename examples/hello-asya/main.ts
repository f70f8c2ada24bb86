import { buildHelloAsya } from './app';

buildHelloAsya(process.argv[2]).synth();
