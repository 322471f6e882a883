import { Feedback, FeedbackInput } from '../domain/feedback';

// Schemas of the feedback routes (only the feedback function carries them).
export const FeedbackRequest = FeedbackInput.meta({ id: 'FeedbackInput' });
export const FeedbackResponse = Feedback.meta({ id: 'Feedback' });
