import type { z } from 'zod';
import { vastCalls } from '../../shared/contract/vast';
import { AppError } from '../../shared/errors';
import type { OperationManager } from '../services/operations/index';
import {
  InstanceLedger,
  launchSpecFromTemplate,
  loadTemplateSource,
  TemplatePublisher,
  toInstanceSummary,
  toOfferRow,
  toTemplateRow,
  VastClient,
  runtypeForMode,
  type VastClientOptions,
  type VastConnection,
  type VastOfferData,
} from '../services/vast/index';

export type { VastConnection };

export interface VastHandlerDeps {
  /** The stored key and VAST_URL, or the sandbox when no key is configured. */
  connection: () => Promise<VastConnection>;
  operations: OperationManager;
  /** Where the instance ledger and the template mapping live. */
  dataDir: string;
  /** `-u USER -p TOKEN registry` for a private image, from the secret store; null for public images. */
  imageLogin?: (image: string) => Promise<string | null>;
  /** Test hook: faster polling and backoff. */
  clientOptions?: Partial<VastClientOptions>;
}

type Calls = typeof vastCalls;
export type VastHandlers = {
  [K in keyof Calls]: (args: z.output<Calls[K]['input']>) => Promise<z.output<Calls[K]['output']>>;
};

export function createVastHandlers(deps: VastHandlerDeps): VastHandlers {
  const ledger = new InstanceLedger(deps.dataDir);
  const connect = async (): Promise<{ client: VastClient; conn: VastConnection }> => {
    const conn = await deps.connection();
    return {
      conn,
      client: new VastClient({ ...deps.clientOptions, apiKey: conn.apiKey, baseUrl: conn.baseUrl, ledger }),
    };
  };
  const summary = (client: VastClient, i: Parameters<typeof toInstanceSummary>[0]) =>
    toInstanceSummary(i, ledger.has(client.baseUrl, i.id));

  const findOffer = async (client: VastClient, offerId: number): Promise<VastOfferData> => {
    // No default filters: the offer may be unverified and still be the one the user picked.
    const { offers } = await client.searchOffers({ query: { id: { eq: offerId } } });
    const offer = offers[0];
    if (!offer)
      throw new AppError(
        'VAST_REQUEST',
        `Offer ${offerId} is no longer available. Search again and pick another one.`,
      );
    return offer;
  };

  const planFor = async (client: VastClient, input: z.output<Calls['vast:launch']['input']>) => {
    const source = loadTemplateSource(input.templatePath);
    const offer = await findOffer(client, input.offerId);
    const spec = launchSpecFromTemplate(source, {
      mode: input.mode,
      label: input.label,
      diskGb: input.diskGb,
      dphTotal: offer.dph_total,
    });
    return { source, offer, spec };
  };

  return {
    'vast:account': async () => {
      const { client, conn } = await connect();
      const user = await client.currentUser();
      return {
        hasKey: conn.hasKey,
        sandbox: conn.sandbox,
        server: client.baseUrl,
        user: {
          id: user.id ?? null,
          email: user.email ?? null,
          username: user.username ?? null,
          credit: user.credit ?? null,
          balance: user.balance ?? null,
        },
      };
    },

    'vast:offers': async ({ filters, templatePath }) => {
      const { client } = await connect();
      const extraFilters = templatePath ? loadTemplateSource(templatePath).extraFilters : undefined;
      const { query, offers } = await client.searchOffers({
        ...filters,
        extraFilters: { ...extraFilters, ...filters.extraFilters },
      });
      return { query, offers: offers.map(toOfferRow) };
    },

    'vast:launchPlan': async (input) => {
      const { client } = await connect();
      const { offer, spec } = await planFor(client, input);
      return {
        offer: toOfferRow(offer),
        image: spec.image,
        mode: spec.mode,
        runtype: runtypeForMode(spec.mode),
        diskGb: spec.diskGb ?? 10,
        label: spec.label ?? '',
        envKeys: Object.keys(spec.env ?? {}),
        ports: [...(spec.ports ?? [])],
        dphTotal: offer.dph_total,
      };
    },

    'vast:launch': async (input) => {
      const { client } = await connect();
      const { spec } = await planFor(client, input);
      const imageLogin = deps.imageLogin ? await deps.imageLogin(spec.image) : null;
      const { id } = deps.operations.start({
        kind: 'vast-launch',
        title: `Launch ${spec.image} on offer ${input.offerId}`,
        work: async (ctx) => {
          ctx.log(`Creating an instance on offer ${input.offerId} (${spec.mode}, ${spec.diskGb} GB disk)…\n`);
          const { instanceId } = await client.createInstance(
            input.offerId,
            { ...spec, imageLogin },
            ctx.signal,
          );
          ctx.emit('created', { instanceId, label: spec.label });
          ctx.log(`Instance ${instanceId} created and recorded; waiting until it runs…\n`);
          const running = await client.waitUntilRunning(instanceId, {
            signal: ctx.signal,
            onProgress: (i) => ctx.emit('progress', summary(client, i)),
          });
          return summary(client, running);
        },
      });
      return { opId: id };
    },

    'vast:instances': async () => {
      const { client } = await connect();
      return (await client.listInstances()).map((i) => summary(client, i));
    },

    'vast:instance': async ({ id }) => {
      const { client } = await connect();
      return summary(client, await client.getInstance(id));
    },

    'vast:start': async ({ id }) => {
      const { client } = await connect();
      await client.startInstance(id);
      return { ok: true as const };
    },

    'vast:stop': async ({ id }) => {
      const { client } = await connect();
      await client.stopInstance(id);
      return { ok: true as const };
    },

    'vast:reboot': async ({ id }) => {
      const { client } = await connect();
      await client.rebootInstance(id);
      return { ok: true as const };
    },

    'vast:destroy': async ({ id, confirm }) => {
      const { client } = await connect();
      const instance = await client.getInstance(id);
      const typed = confirm.trim();
      if (typed !== String(id) && (!instance.label || typed !== instance.label)) {
        throw new AppError(
          'VALIDATION',
          `To destroy instance ${id}, type its label${instance.label ? ` ("${instance.label}")` : ''} or its id.`,
        );
      }
      await client.destroyInstance(id);
      return { ok: true as const };
    },

    'vast:label': async ({ id, label }) => {
      const { client } = await connect();
      await client.labelInstance(id, label);
      return { ok: true as const };
    },

    'vast:logs': async ({ id, tail }) => {
      const { client } = await connect();
      return { text: await client.requestLogs(id, { tail }) };
    },

    'vast:attachSshKey': async ({ id, publicKey }) => {
      const { client } = await connect();
      await client.attachSshKey(id, publicKey.trim());
      return { ok: true as const };
    },

    'vast:waitRunning': async ({ id }) => {
      const { client } = await connect();
      const op = deps.operations.start({
        kind: 'vast-wait',
        title: `Wait for instance ${id}`,
        work: async (ctx) => {
          const running = await client.waitUntilRunning(id, {
            signal: ctx.signal,
            onProgress: (i) => ctx.emit('progress', summary(client, i)),
          });
          return summary(client, running);
        },
      });
      return { opId: op.id };
    },

    'vast:templates': async () => {
      const { client } = await connect();
      const rows = await new TemplatePublisher(client, deps.dataDir).list();
      return rows.map(({ template, publishedByApp }) => toTemplateRow(template, publishedByApp));
    },

    'vast:publishTemplate': async ({ templatePath }) => {
      const { client } = await connect();
      return new TemplatePublisher(client, deps.dataDir).publish(templatePath);
    },

    'vast:deleteTemplate': async ({ id }) => {
      const { client } = await connect();
      await new TemplatePublisher(client, deps.dataDir).delete(id);
      return { ok: true as const };
    },

    'vast:ledger': async ({ includeDestroyed }) =>
      ledger.list({ includeDestroyed }).map((e) => ({
        instanceId: e.instanceId,
        server: e.server,
        label: e.label,
        image: e.image,
        offerId: e.offerId,
        createdAt: e.createdAt,
        destroyedAt: e.destroyedAt,
        dphTotal: e.dphTotal,
      })),
  };
}
