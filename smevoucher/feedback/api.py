from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from smevoucher.core.api import IntegerField, list_filter_parameters, list_filters

from . import selectors, services
from .models import Complaint, Rating


class RatingInput(serializers.Serializer):
    score = IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(allow_blank=True, required=False, default="", max_length=2000)


class RatingOutput(serializers.ModelSerializer):
    class Meta:
        model = Rating
        fields = ["id", "order", "provider", "product", "score", "comment", "created_at", "updated_at"]


class ComplaintInput(serializers.Serializer):
    text = serializers.CharField(max_length=2000)


class AnswerInput(serializers.Serializer):
    answer = serializers.CharField(max_length=2000)


class CloseInput(serializers.Serializer):
    note = serializers.CharField(allow_blank=True, required=False, default="", max_length=2000)


class ComplaintOutput(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.organisation.name")
    enterprise_name = serializers.CharField(source="enterprise.organisation.name")
    city = serializers.CharField(source="city.code")

    class Meta:
        model = Complaint
        fields = ["id", "number", "order", "provider", "provider_name", "enterprise", "enterprise_name", "city"]
        fields += ["text", "status", "filed_at", "answer", "answered_at", "closed_at"]


class OrderRatingView(APIView):
    @extend_schema(request=RatingInput, responses=RatingOutput)
    def post(self, request, pk: int):
        """Issue 17: after receipt the enterprise rates the order's service (1–5, a comment); again revises it."""
        data = RatingInput(data=request.data)
        data.is_valid(raise_exception=True)
        rating = services.rating_submit(actor=request.user, order_id=pk, **data.validated_data)
        return Response(RatingOutput(rating).data)


class OrderComplaintView(APIView):
    @extend_schema(request=ComplaintInput, responses={201: ComplaintOutput})
    def post(self, request, pk: int):
        """Issue 17: after receipt the enterprise files a complaint to the unit of the city that issued the
        vouchers. While one is in progress, filing again returns it."""
        data = ComplaintInput(data=request.data)
        data.is_valid(raise_exception=True)
        complaint = services.complaint_file(actor=request.user, order_id=pk, **data.validated_data)
        return Response(ComplaintOutput(complaint).data, status=status.HTTP_201_CREATED)


class ComplaintListView(GenericAPIView):
    serializer_class = ComplaintOutput

    @extend_schema(
        parameters=list_filter_parameters("Provider name.", Complaint.Status.choices),
        responses=ComplaintOutput(many=True),
    )
    def get(self, request):
        """Complaints the caller may see: an enterprise its own, a city unit those sent to it, the province all."""
        filters = list_filters(request, Complaint.Status.choices)
        complaints = selectors.complaints_filtered(filters, selectors.complaints_visible_to(request.user))
        page = self.paginate_queryset(complaints.order_by("-filed_at", "-pk"))
        return self.get_paginated_response(ComplaintOutput(page, many=True).data)


class ComplaintDetailView(APIView):
    @extend_schema(responses=ComplaintOutput)
    def get(self, request, pk: int):
        return Response(ComplaintOutput(selectors.complaint_get_for(user=request.user, complaint_id=pk)).data)


class ComplaintAnswerView(APIView):
    @extend_schema(request=AnswerInput, responses=ComplaintOutput)
    def post(self, request, pk: int):
        """The issuing city's unit answers the complaint; the enterprise is told."""
        data = AnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(
            ComplaintOutput(services.complaint_answer(actor=request.user, complaint_id=pk, **data.validated_data)).data
        )


class ComplaintCloseView(APIView):
    @extend_schema(request=CloseInput, responses=ComplaintOutput)
    def post(self, request, pk: int):
        """The issuing city's unit closes the complaint, with an optional closing note."""
        data = CloseInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(
            ComplaintOutput(services.complaint_close(actor=request.user, complaint_id=pk, **data.validated_data)).data
        )
