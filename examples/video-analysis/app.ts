import { App, Chart, Duration } from 'cdk8s';
import {
  AsyaCrew, AsyaNamespace, AsyncActor, AsyncModel, AsyncPipeline, Chain, MosecModel, RayServeModel, ResultStorage, Transport,
  TritonModel, TritonModelRepository,
} from '../../src';

/**
 * The seed's video-analysis use case: frames -> object detection on Triton (GPU) -> classification on
 * Ray Serve -> scene captions from a Mosec service -> an aggregator. Triton scales to zero on its bridge queue; Ray autoscales itself, so its
 * binding has no KEDA.
 */
export function buildVideoAnalysis(outdir?: string): App {
  const app = new App({ outdir });
  // Queue depth over the management API (ready + unacknowledged): bound models may scale to zero (SCL-1).
  const transport = Transport.rabbitmq({
    host: 'rabbitmq.asya-system.svc.cluster.local',
    managementUrl: 'http://rabbitmq.asya-system.svc.cluster.local:15672',
    brokerNamespace: 'asya-system',
  });

  const system = new Chart(app, 'asya-system', { namespace: 'asya-system' });
  new AsyaCrew(system, 'crew', { transport, storage: ResultStorage.s3({ bucket: 'video-results', region: 'eu-west-1' }) });

  const video = new AsyncPipeline(app, 'video', { namespace: 'video', monitoringNamespace: 'monitoring', podMonitor: true });
  new AsyaNamespace(video, 'video');

  const detector = new TritonModel(video, 'detector', {
    modelName: 'yolov8',
    repository: TritonModelRepository.uri('s3://acme-models/triton-repo'),
    resources: { cpu: { request: '2', limit: '4' }, memory: { request: '8Gi', limit: '16Gi' }, gpu: { count: 1 } },
    nodeSelector: { 'nvidia.com/gpu.present': 'true' },
    tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
  });
  const classifier = new RayServeModel(video, 'classifier', {
    applications: [{ name: 'classify', importPath: 'classifier.app:deployment', routePrefix: '/classify' }],
    head: { resources: { cpu: { request: '2', limit: '2' }, memory: { request: '8Gi', limit: '8Gi' } } },
    workerGroups: [{
      groupName: 'gpu',
      minReplicas: 0,
      maxReplicas: 4,
      resources: { cpu: { request: '4', limit: '4' }, memory: { request: '16Gi', limit: '16Gi' }, gpu: { count: 1 } },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
    }],
  });

  const frames = new AsyncActor(video, 'video-frames', {
    transport,
    handler: 'video.frames.extract',
    image: 'ghcr.io/acme/video-steps:1.0.3',
    resources: { cpu: { request: '500m', limit: '2' }, memory: { request: '512Mi', limit: '2Gi' } },
    processingTimeout: Duration.minutes(2),
  });
  const detect = new AsyncModel(video, 'video-detect', { backend: detector, transport, outputKey: 'detections', modelScaling: { maxReplicas: 2, queueLength: 50 } });
  const classify = new AsyncModel(video, 'video-classify', { backend: classifier, transport, outputKey: 'labels' });
  // Scene captions from a team's existing Mosec service, put on the queue without rewriting it.
  const captioner = new MosecModel(video, 'captioner', {
    image: 'ghcr.io/acme/scene-captioner:2.1.0',
    script: 'serve.py',
    timeout: Duration.minutes(2),
    resources: { cpu: { request: '2', limit: '4' }, memory: { request: '8Gi', limit: '12Gi' }, gpu: { count: 1 } },
  });
  const caption = new AsyncModel(video, 'video-caption', { backend: captioner, transport, outputKey: 'caption', modelScaling: { maxReplicas: 2 } });
  const aggregate = new AsyncActor(video, 'video-aggregate', {
    transport,
    handler: 'video.report.aggregate',
    image: 'ghcr.io/acme/video-steps:1.0.3',
    resources: { cpu: { request: '100m', limit: '500m' }, memory: { request: '128Mi', limit: '512Mi' } },
  });
  video.addRoute('analyze', Chain.start(frames).next(detect).next(classify).next(caption).next(aggregate).steps);
  return app;
}
