import { Kafka } from 'kafkajs';

export interface TopicLayout {
  partitions: number;
  replicationFactor: number;
}

/**
 * Creates the topics that do not exist yet. Brokers run with auto-creation off: a topic exists
 * because a service or an infra script asked for it, with the partitions it was meant to have.
 */
export async function provisionTopics(
  kafka: Kafka,
  topics: readonly string[],
  layout: TopicLayout,
): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = [...new Set(topics)].filter((topic) => !existing.has(topic));
    if (missing.length === 0) return [];
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: layout.partitions,
          replicationFactor: layout.replicationFactor,
        })),
      });
    } catch (error) {
      // Another instance may have created some of them at the same moment; what matters is that they exist.
      const now = new Set(await admin.listTopics());
      if (missing.some((topic) => !now.has(topic))) throw error;
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}
