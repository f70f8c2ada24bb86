import { ApiObject, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { AsyncActor, Transport } from '../../src';
import { Policy, PolicyFinding, PolicyLevel } from '../../src/validation';
import { one, synthValid, testChart } from '../util';
import { denyAll, deployment, NS } from './fixtures/policy/manifests';

const DEP = `apps/v1/Deployment ${NS}/web`;
const ROOT_MSG = 'container "server" may run as root: set securityContext.runAsNonRoot: true on the pod or the container';

/** The fixture Deployment running as root, with the given suppression annotation value. */
function rootDeployment(annotation?: string): any {
  const d = deployment();
  delete d.spec.template.spec.securityContext.runAsNonRoot;
  delete d.spec.template.spec.containers[0].securityContext.runAsNonRoot;
  if (annotation !== undefined) d.metadata.annotations = { 'cdk8s-asya.io/suppress': annotation };
  return d;
}

function check(...manifests: any[]): PolicyFinding[] {
  return Policy.checkObjects([...manifests, denyAll()]);
}

describe('suppression annotation', () => {
  test('with a reason: the finding is reported as suppressed, not as an error', () => {
    const d = rootDeployment('[{"id":"ASYA-PSS-001","reason":"vLLM image needs root"}]');
    expect(check(d)).toEqual([{
      ruleId: 'ASYA-PSS-001',
      level: PolicyLevel.ERROR,
      object: DEP,
      path: '.spec.template.spec.containers[0].securityContext.runAsNonRoot',
      message: ROOT_MSG,
      suppressed: true,
      suppressionReason: 'vLLM image needs root',
    }]);
    expect(() => Policy.assertObjectsCompliant([d, denyAll()])).not.toThrow();
    expect(Policy.format(check(d))).toBe([
      '1 policy finding(s), 0 error(s):',
      `  [suppressed] ASYA-PSS-001 ${DEP} .spec.template.spec.containers[0].securityContext.runAsNonRoot: ${ROOT_MSG} (reason: vLLM image needs root)`,
    ].join('\n'));
  });

  test('it suppresses only the named rule', () => {
    const d = rootDeployment('[{"id":"ASYA-PSS-002","reason":"a different rule entirely"}]');
    expect(check(d).map((f) => [f.ruleId, f.suppressed])).toEqual([['ASYA-PSS-001', undefined]]);
  });

  test('without a reason: an ASYA-SUP-001 error, and nothing is suppressed', () => {
    const d = rootDeployment('[{"id":"ASYA-PSS-001"}]');
    expect(check(d)).toEqual([
      { ruleId: 'ASYA-PSS-001', level: PolicyLevel.ERROR, object: DEP, path: '.spec.template.spec.containers[0].securityContext.runAsNonRoot', message: ROOT_MSG },
      {
        ruleId: 'ASYA-SUP-001',
        level: PolicyLevel.ERROR,
        object: DEP,
        path: '.metadata.annotations["cdk8s-asya.io/suppress"][0].reason',
        message: 'suppression of ASYA-PSS-001 has no reason (or one under 10 characters), so it suppresses nothing: say why this object is exempt, e.g. "vLLM image needs root"',
      },
    ]);
    expect(() => Policy.assertObjectsCompliant([d, denyAll()])).toThrow(/2 error\(s\)[\s\S]*ASYA-PSS-001[\s\S]*ASYA-SUP-001/);
  });

  test('a reason under 10 characters is no reason', () => {
    expect(check(rootDeployment('[{"id":"ASYA-PSS-001","reason":"  needs   "}]')).map((f) => f.ruleId)).toEqual(['ASYA-PSS-001', 'ASYA-SUP-001']);
  });

  test('no rule id', () => {
    expect(check(rootDeployment('[{"reason":"vLLM image needs root"}]')).filter((f) => f.ruleId === 'ASYA-SUP-001')).toEqual([{
      ruleId: 'ASYA-SUP-001',
      level: PolicyLevel.ERROR,
      object: DEP,
      path: '.metadata.annotations["cdk8s-asya.io/suppress"][0].id',
      message: 'suppression 0 names no rule id: give the rule to suppress, e.g. [{"id":"ASYA-PSS-001","reason":"vLLM image needs root"}]',
    }]);
  });

  test.each([['not JSON', 'ASYA-PSS-001'], ['an object', '{"id":"ASYA-PSS-001","reason":"vLLM image needs root"}']])('%s', (_what, value) => {
    expect(check(rootDeployment(value)).filter((f) => f.ruleId === 'ASYA-SUP-001')).toEqual([{
      ruleId: 'ASYA-SUP-001',
      level: PolicyLevel.ERROR,
      object: DEP,
      path: '.metadata.annotations["cdk8s-asya.io/suppress"]',
      message: 'annotation cdk8s-asya.io/suppress must be a JSON array of {"id", "reason"} objects, e.g. [{"id":"ASYA-PSS-001","reason":"vLLM image needs root"}]',
    }]);
  });

  test('ASYA-SUP-001 cannot suppress itself', () => {
    const d = rootDeployment('[{"id":"ASYA-SUP-001","reason":"hide the broken entry"},{"id":"ASYA-PSS-001"}]');
    expect(check(d).filter((f) => f.ruleId === 'ASYA-SUP-001').map((f) => f.suppressed)).toEqual([undefined]);
  });
});

describe('Policy.suppress', () => {
  const actorProps = {
    transport: Transport.rabbitmq(),
    handler: 'pipeline.embed',
    image: 'ghcr.io/acme/embed:1.2.0',
    resources: { cpu: { request: '100m', limit: '1' }, memory: { request: '256Mi', limit: '512Mi' } },
  };

  test('annotates an AsyncActor\'s object; the finding is suppressed and the object stays schema-valid', () => {
    const chart = testChart('ai');
    const actor = new AsyncActor(chart, 'embed', { ...actorProps, networkPolicy: false });
    Policy.suppress(actor, 'ASYA-NET-001', 'network policy comes from the platform team');
    const manifests = synthValid(chart);
    expect(one(manifests, 'AsyncActor', 'embed').metadata.annotations['cdk8s-asya.io/suppress'])
      .toBe('[{"id":"ASYA-NET-001","reason":"network policy comes from the platform team"}]');
    const found = Policy.checkObjects(manifests);
    expect(found.map((f) => [f.ruleId, f.suppressed])).toEqual([['ASYA-NET-001', true]]);
    expect(() => Policy.assertCompliant(chart.node.root as any)).not.toThrow();
  });

  test('adds to existing suppressions and replaces an entry of the same rule', () => {
    const chart = testChart();
    const obj = new ApiObject(chart, 'web', { ...deployment(), metadata: { name: 'web', annotations: { keep: 'me' } } });
    Policy.suppress(obj, 'ASYA-PSS-001', 'first reason, to be replaced');
    Policy.suppress(obj, 'ASYA-IMG-001', 'vendor image has no tags');
    Policy.suppress(obj, 'ASYA-PSS-001', 'vLLM image needs root');
    const m = Testing.synth(chart)[0];
    expect(m.metadata.annotations).toEqual({
      'keep': 'me',
      'cdk8s-asya.io/suppress': '[{"id":"ASYA-IMG-001","reason":"vendor image has no tags"},{"id":"ASYA-PSS-001","reason":"vLLM image needs root"}]',
    });
  });

  test('refuses a missing or short reason, a bad id, and a construct without an object', () => {
    const chart = testChart();
    const obj = new ApiObject(chart, 'web', deployment());
    expect(() => Policy.suppress(obj, 'ASYA-PSS-001', 'root')).toThrow(
      'test/web: Policy.suppress reason ("root") must say why the object is exempt, in at least 10 characters');
    expect(() => Policy.suppress(obj, 'ASYA PSS', 'vLLM image needs root')).toThrow(
      'test/web: Policy.suppress ruleId ("ASYA PSS") must be a rule id such as ASYA-PSS-001');
    const plain = new Construct(chart, 'group');
    expect(() => Policy.suppress(plain, 'ASYA-PSS-001', 'vLLM image needs root')).toThrow(
      'test/group: Policy.suppress needs a construct with a default ApiObject child (id "Resource") or an ApiObject; pass the object to suppress');
  });

  test('refuses to extend an annotation that is not JSON', () => {
    const chart = testChart();
    const obj = new ApiObject(chart, 'web', { ...deployment(), metadata: { name: 'web', annotations: { 'cdk8s-asya.io/suppress': 'oops' } } });
    expect(() => Policy.suppress(obj, 'ASYA-PSS-001', 'vLLM image needs root')).toThrow(
      'test/web: annotation cdk8s-asya.io/suppress is not valid JSON (oops); fix it before adding suppressions');
  });
});
